// Console audit log: newest first, filtered by action, paged by cursor.
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, date, type ConsoleFrame } from './layout.js';

export function auditPage(frame: ConsoleFrame, events: AuditEvent[], action: string, nextCursor: string | null): SafeHtml {
  return consoleLayout(frame, {
    title: 'Audit log',
    section: 'audit',
    body: html`<h1>Audit log</h1>
<form method="get" action="/admin/audit" class="toolbar" role="search">
<div class="field"><label for="action">Action</label>
<input id="action" name="action" type="text" spellcheck="false" autocapitalize="none" placeholder="e.g. client.created" value="${action}"></div>
<button type="submit" class="secondary inline">Filter</button>
</form>
${
  events.length === 0
    ? html`<p class="muted">No events.</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">From</th><th scope="col">Details</th></tr></thead>
<tbody>
${events.map(
  (e) => html`<tr>
<td data-label="When">${date(e.at)}</td>
<td data-label="Action" class="code"><a href="/admin/audit?${new URLSearchParams({ action: e.action }).toString()}">${e.action}</a></td>
<td data-label="Actor" class="code">${e.actor}</td>
<td data-label="Target" class="code">${e.target ?? ''}</td>
<td data-label="From" class="code">${e.source_address ?? ''}</td>
<td data-label="Details" class="code">${Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
</tr>`,
)}
</tbody></table></div>`
}
${nextCursor && html`<p class="pager"><a href="/admin/audit?${new URLSearchParams({ ...(action ? { action } : {}), cursor: nextCursor }).toString()}">Older →</a></p>`}`,
  });
}
