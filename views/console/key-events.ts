// Console key events: every key state change and its deliveries to the webhook receivers
// (KEY_EVENTS_WEBHOOK_URL), newest first; the same list as `sesame keys events`.
import type { KeyEventView } from '../../src/domain/keys/key-events.js';
import { html, type SafeHtml } from '../html.js';
import { compactDate, consoleLayout, type ConsoleFrame } from './layout.js';

function deliveries(event: KeyEventView): SafeHtml {
  if (event.deliveries.length === 0) {
    return html`<span class="muted">${event.dispatched_at ? 'no receiver configured' : 'waiting for a server to send it'}</span>`;
  }
  return html`<ul>${event.deliveries.map(
    (d) =>
      html`<li><span class="code">${d.receiver}</span> <span class="state state-${d.state === 'failed' ? 'revoked' : d.state === 'delivered' ? 'active' : d.state}">${d.state}</span>
${d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`}${d.last_error ? html`, last: ${d.last_error}` : d.last_status !== null ? html`, last: ${String(d.last_status)}` : ''}${
        d.state === 'pending' && d.next_attempt_at ? html`, next ${compactDate(d.next_attempt_at)}` : ''
      }</li>`,
  )}</ul>`;
}

export function keyEventsPage(frame: ConsoleFrame, events: KeyEventView[], failing: boolean): SafeHtml {
  return consoleLayout(frame, {
    title: 'Key events',
    section: 'keys',
    body: html`<h1>Key events</h1>
<p class="muted">Every key state change, sent to the webhook receivers as a signed CloudEvent (see "Key events" in the README). A failed attempt is tried again later; a delivery <strong>failed</strong> has no attempts left.</p>
<p>${failing ? html`<a href="/admin/keys/events">All events</a>` : html`<a href="/admin/keys/events?failed=true">Only failing deliveries</a>`} · <a href="/admin/keys">Signing keys</a></p>
${
  events.length === 0
    ? html`<p class="muted">${failing ? 'No key event has a failing delivery.' : 'No key events yet.'}</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Key ID</th><th scope="col">State</th><th scope="col">By</th><th scope="col">Deliveries</th></tr></thead>
<tbody>
${events.map(
  (e) => html`<tr>
<td data-label="Time" class="nowrap">${compactDate(e.time)}</td>
<td data-label="Event" class="nowrap">${e.type.replace(/^dev\.sesame\./, '')}</td>
<td data-label="Key ID" class="code nowrap">${e.kid ?? ''}</td>
<td data-label="State" class="nowrap">${e.data.state ?? ''}</td>
<td data-label="By" class="nowrap">${e.data.by}</td>
<td data-label="Deliveries">${deliveries(e)}</td>
</tr>`,
)}
</tbody></table></div>`
}`,
  });
}
