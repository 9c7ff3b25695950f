// Console audit log: newest first, paged by cursor; filters for the action (the known ones), a
// date range and a person or client; names in place of raw ids (the raw id on hover), and each
// event's details as `key: value` lines.
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, date, describedBy, fieldError, type ConsoleFrame } from './layout.js';

/** How an actor or target is shown: its name and where it links, or only the raw reference. */
export interface PartyName {
  ref: string;
  name?: string;
  href?: string;
}

export type NameOf = (ref: string | null) => PartyName | undefined;

export interface AuditFilters {
  action: string;
  /** YYYY-MM-DD, UTC, included. */
  from: string;
  to: string;
  /** An email, a client id, or an actor/target as written. */
  who: string;
}

export interface AuditPageView {
  events: AuditEvent[];
  nameOf: NameOf;
  filters: AuditFilters;
  actions: readonly string[];
  nextCursor: string | null;
  errors: Record<string, string>;
}

function party(nameOf: NameOf, ref: string | null): SafeHtml {
  const named = nameOf(ref);
  if (!named) return html``;
  if (!named.name) return html`<span class="code">${named.ref}</span>`;
  return html`<a href="${named.href}" title="${named.ref}">${named.name}</a>`;
}

/** A detail's value as text: lists joined, nested objects as compact JSON. */
function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.map(valueText).join(', ') : '—';
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function details(values: Record<string, unknown>): SafeHtml {
  const entries = Object.entries(values);
  if (entries.length === 0) return html``;
  return html`<ul class="kv">${entries.map(([key, value]) => html`<li><span class="muted">${key.replace(/_/g, ' ')}:</span> ${valueText(value)}</li>`)}</ul>`;
}

const withoutEmpty = (filters: AuditFilters): Record<string, string> => Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== ''));

export function auditPage(frame: ConsoleFrame, view: AuditPageView): SafeHtml {
  const { events, nameOf, filters, actions, nextCursor, errors } = view;
  const filtered = Object.values(filters).some((v) => v !== '');
  return consoleLayout(frame, {
    title: 'Audit log',
    section: 'audit',
    body: html`<h1>Audit log</h1>
<form method="get" action="/admin/audit" class="toolbar" role="search">
<div class="field"><label for="action">Action</label>
<select id="action" name="action"${describedBy(errors, 'action')}>
<option value="">Any</option>
${actions.map((a) => html`<option value="${a}"${a === filters.action ? html` selected` : ''}>${a}</option>`)}
</select>
${fieldError(errors, 'action')}</div>
<div class="field"><label for="from">From (UTC)</label>
<input id="from" name="from" type="date" value="${filters.from}"${describedBy(errors, 'from')}>
${fieldError(errors, 'from')}</div>
<div class="field"><label for="to">To (UTC)</label>
<input id="to" name="to" type="date" value="${filters.to}"${describedBy(errors, 'to')}>
${fieldError(errors, 'to')}</div>
<div class="field"><label for="who">Person or client</label>
<input id="who" name="who" type="search" spellcheck="false" autocapitalize="none" placeholder="email or client id" value="${filters.who}"${describedBy(errors, 'who')}>
${fieldError(errors, 'who')}</div>
<button type="submit" class="secondary inline">Filter</button>
${filtered && html`<a href="/admin/audit">Clear</a>`}
</form>
${
  events.length === 0
    ? html`<p class="muted">No events.</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">From</th><th scope="col">Details</th></tr></thead>
<tbody>
${events.map(
  (e) => html`<tr>
<td data-label="When" class="nowrap">${date(e.at)}</td>
<td data-label="Action" class="code nowrap"><a href="/admin/audit?${new URLSearchParams({ ...withoutEmpty(filters), action: e.action }).toString()}">${e.action}</a></td>
<td data-label="Actor">${party(nameOf, e.actor)}</td>
<td data-label="Target">${party(nameOf, e.target)}</td>
<td data-label="From" class="code">${e.source_address ?? ''}</td>
<td data-label="Details">${details(e.details)}</td>
</tr>`,
)}
</tbody></table></div>`
}
${nextCursor && html`<p class="pager"><a href="/admin/audit?${new URLSearchParams({ ...withoutEmpty(filters), cursor: nextCursor }).toString()}">Older →</a></p>`}`,
  });
}
