// Console overview: how many clients, users and signing keys, and the common next steps.
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, type ConsoleFrame } from './layout.js';

export function overviewPage(frame: ConsoleFrame, counts: { clients: number; users: number; keys: number; activeAlgs: string[] }): SafeHtml {
  return consoleLayout(frame, {
    title: 'Overview',
    section: 'overview',
    body: html`<h1>Overview</h1>
<ul class="stats">
<li><a href="/admin/clients"><strong>${counts.clients}</strong> clients</a></li>
<li><a href="/admin/users"><strong>${counts.users}</strong> users</a></li>
<li><a href="/admin/keys"><strong>${counts.keys}</strong> signing keys</a></li>
</ul>
<p class="muted">Signing with: ${counts.activeAlgs.length ? counts.activeAlgs.join(', ') : 'no active key'}.</p>
<div class="row-actions">
<a class="button" href="/admin/clients/new">Register a client</a>
<a class="button" href="/admin/users#create">Add a user</a>
<a class="button" href="/admin/audit">Audit log</a>
</div>`,
  });
}
