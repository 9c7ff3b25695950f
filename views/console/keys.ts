// Console keys (signing, and encryption with ENCRYPTION_ALGS): the key table, rotation, and the revoke confirmation.
import type { KeyView } from '../../src/domain/keys/key-service.js';
import type { PickupStatus } from '../../src/domain/keys/jwks-watch.js';
import { describeDuration, describeHold, describeReceived, describeShare, describeWindow } from '../../src/domain/keys/pickup-text.js';
import { html, type SafeHtml } from '../html.js';
import { compactDate, consoleLayout, csrfField, type ConsoleFrame } from './layout.js';

/** "Next keys reaching the RPs": per family, how many recent JWKS fetchers hold the next key. */
function pickupPanel(pickup: PickupStatus): SafeHtml {
  const gate =
    pickup.gate.share === null
      ? 'The activation gate is off (KEY_ACTIVATION_GATE): scheduled activations follow the schedule alone.'
      : `A scheduled activation waits until ${describeShare(pickup.gate.share)} of them have received the next key (KEY_ACTIVATION_GATE), ${describeDuration(pickup.gate.max_delay_seconds)} at most; a rotation from this page is not held.`;
  return html`<section aria-labelledby="pickup">
<h2 id="pickup">Next keys reaching the RPs</h2>
<p class="muted">${pickup.recent_fetchers} distinct JWKS fetchers (address and User-Agent) ${describeWindow(pickup.window_seconds)}. ${gate}</p>
<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Family</th><th scope="col">Next key</th><th scope="col">Received by</th><th scope="col">May activate from</th><th scope="col">Gate</th></tr></thead>
<tbody>
${pickup.families.map(
  (f) => html`<tr>
<td data-label="Family" class="nowrap">${f.alg}</td>
<td data-label="Next key" class="code nowrap">${f.next?.kid ?? '—'}</td>
<td data-label="Received by" class="nowrap">${f.next ? describeReceived(f) : '—'}</td>
<td data-label="May activate from" class="nowrap">${compactDate(f.next?.eligible_at)}</td>
<td data-label="Gate">${describeHold(f.hold)}</td>
</tr>`,
)}
</tbody></table></div>
</section>`;
}

export function keysPage(frame: ConsoleFrame, keys: KeyView[], algs: readonly string[], pickup?: PickupStatus): SafeHtml {
  const encryption = keys.some((k) => k.use === 'enc');
  return consoleLayout(frame, {
    title: encryption ? 'Signing and encryption keys' : 'Signing keys',
    section: 'keys',
    body: html`<h1>${encryption ? 'Signing and encryption keys' : 'Signing keys'}</h1>
<p class="muted">A <strong>next</strong> key is published before it signs; the <strong>active</strong> key signs; a <strong>retired</strong> key is published for verification until its tokens have expired.</p>
${
  encryption &&
  html`<p class="muted">Encryption keys (use <strong>enc</strong>) go through the same states: relying parties encrypt request objects to the published ones, and a <strong>retired</strong> one still decrypts until no relying party can still encrypt to it.</p>`
}
<p><a href="/admin/keys/events">Key events and webhook deliveries</a></p>
<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Key ID</th><th scope="col">Alg</th><th scope="col">Use</th><th scope="col">State</th><th scope="col">Published</th><th scope="col">Activated</th><th scope="col">Retired</th><th scope="col">Expires</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>
${keys.map(
  (k) => html`<tr>
<td data-label="Key ID" class="code nowrap">${k.kid}</td>
<td data-label="Alg" class="nowrap">${k.alg}</td>
<td data-label="Use" class="nowrap">${k.use}</td>
<td data-label="State" class="nowrap"><span class="state state-${k.state}">${k.state}</span></td>
<td data-label="Published" class="nowrap">${compactDate(k.published_at)}</td>
<td data-label="Activated" class="nowrap">${compactDate(k.activated_at)}</td>
<td data-label="Retired" class="nowrap">${compactDate(k.retired_at)}</td>
<td data-label="Expires" class="nowrap">${compactDate(k.expires_at)}</td>
<td data-label="Actions">${k.state === 'revoked' ? '' : html`<a href="/admin/keys/${encodeURIComponent(k.kid)}/revoke" aria-label="Revoke ${k.kid}">Revoke</a>`}</td>
</tr>`,
)}
</tbody></table></div>
${pickup && pickupPanel(pickup)}
<h2>Rotate</h2>
<p class="muted">The next key becomes active, the active key retires, and a new next key is published. A rotation is refused while the next key has not been published long enough for every cache to hold it; the refusal says why and lets you force it.</p>
<form method="post" action="/admin/keys/rotate">
${csrfField(frame.csrf)}
${
  algs.length > 1 &&
  html`<div class="field"><label for="alg">Family</label>
<select id="alg" name="alg"><option value="">All</option>${algs.map((a) => html`<option value="${a}">${a}</option>`)}</select></div>`
}
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
<p class="lead">For a compromised key. It is removed from the published key set (JWKS) at once and its private key is destroyed: tokens it signed stop verifying.${
      key.state === 'active'
        ? ' It is the active key: the next key takes over signing at once; if that key has not been published long enough, the page that follows says what that risks.'
        : ''
    }</p>
<dl class="details">
<dt>Algorithm</dt><dd>${key.alg}</dd>
<dt>Use</dt><dd>${key.use === 'enc' ? 'encryption (enc)' : 'signing (sig)'}</dd>
<dt>State</dt><dd>${key.state}</dd>
</dl>
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

/** A rotation the rules refused: why, and the choice to force it anyway (a deliberate second step). */
export function forceRotationPage(frame: ConsoleFrame, reason: string, alg: string | undefined): SafeHtml {
  return consoleLayout(frame, {
    title: 'Rotation refused',
    section: 'keys',
    body: html`<h1>Rotation refused</h1>
<p class="alert" role="alert">${reason}</p>
<p class="lead">Forcing it rotates now anyway: relying parties whose cached key set lacks the new key fail to verify new tokens until they fetch it again, and tokens signed by a retired key removed early stop verifying.</p>
<div class="actions">
<form method="post" action="/admin/keys/rotate">
${csrfField(frame.csrf)}
${alg && html`<input type="hidden" name="alg" value="${alg}">`}
<input type="hidden" name="force" value="yes">
<button type="submit" class="danger">Force the rotation</button>
</form>
<a href="/admin/keys">Cancel</a>
</div>`,
  });
}
