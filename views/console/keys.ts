// Console signing keys: the key table, rotation, and the revoke confirmation.
import type { KeyView } from '../../src/domain/keys/key-service.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, csrfField, date, type ConsoleFrame } from './layout.js';

export function keysPage(frame: ConsoleFrame, keys: KeyView[], algs: readonly string[]): SafeHtml {
  return consoleLayout(frame, {
    title: 'Signing keys',
    section: 'keys',
    body: html`<h1>Signing keys</h1>
<p class="muted">A <strong>next</strong> key is published before it signs; the <strong>active</strong> key signs; a <strong>retired</strong> key is published for verification until its tokens have expired.</p>
<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Key ID</th><th scope="col">Alg</th><th scope="col">State</th><th scope="col">Published</th><th scope="col">Activated</th><th scope="col">Retired</th><th scope="col">Expires</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>
${keys.map(
  (k) => html`<tr>
<td data-label="Key ID" class="code">${k.kid}</td>
<td data-label="Alg">${k.alg}</td>
<td data-label="State"><span class="state state-${k.state}">${k.state}</span></td>
<td data-label="Published">${date(k.published_at)}</td>
<td data-label="Activated">${date(k.activated_at)}</td>
<td data-label="Retired">${date(k.retired_at)}</td>
<td data-label="Expires">${date(k.expires_at)}</td>
<td data-label="Actions">${k.state === 'revoked' ? '' : html`<a href="/admin/keys/${encodeURIComponent(k.kid)}/revoke" aria-label="Revoke ${k.kid}">Revoke</a>`}</td>
</tr>`,
)}
</tbody></table></div>
<h2>Rotate</h2>
<p class="muted">The next key becomes active, the active key retires, and a new next key is published. Without force, a rotation is refused while the next key has not been published long enough for every cache to hold it.</p>
<form method="post" action="/admin/keys/rotate">
${csrfField(frame.csrf)}
${
  algs.length > 1 &&
  html`<div class="field"><label for="alg">Family</label>
<select id="alg" name="alg"><option value="">All</option>${algs.map((a) => html`<option value="${a}">${a}</option>`)}</select></div>`
}
<div class="check">
<input id="force" name="force" type="checkbox" value="yes">
<label for="force">Force (relying parties may briefly fail to verify new tokens)</label>
</div>
<button type="submit" class="primary">Rotate</button>
</form>`,
  });
}

/** "Revoke this key?": what a revocation does, and the choice to end what it signed as well. */
export function revokeKeyPage(frame: ConsoleFrame, key: KeyView): SafeHtml {
  const path = `/admin/keys/${encodeURIComponent(key.kid)}/revoke`;
  return consoleLayout(frame, {
    title: `Revoke ${key.kid}`,
    section: 'keys',
    body: html`<h1>Revoke key <span class="code">${key.kid}</span>?</h1>
<p class="lead">For a compromised key. It leaves the published key set at once and its private key is destroyed: tokens it signed stop verifying.${
      key.state === 'active' ? ' Another key takes over signing; if none has been published long enough, the page that follows says what that risks.' : ''
    }</p>
<form method="post" action="${path}">
${csrfField(frame.csrf)}
<div class="check">
<input id="revoke_grants" name="revoke_grants" type="checkbox" value="yes">
<label for="revoke_grants">Also end the sessions, grants and tokens from while it could sign</label>
</div>
<div class="actions">
<button type="submit" class="danger">Revoke key</button>
<a href="/admin/keys">Cancel</a>
</div>
</form>`,
  });
}
