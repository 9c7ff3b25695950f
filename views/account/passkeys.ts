// The account page's "Passkeys" section: the person's passkeys (name, when added, when last used)
// with Rename and Remove (plain forms: they work without JavaScript), and "Add a passkey", which
// needs the browser's WebAuthn API: the form is hidden until views/assets/passkeys.js shows it, and
// without JavaScript the section says so (a line the script hides: <noscript> is not shown when a
// browser's scripts are off by policy rather than by its parser). The script gets its words from data-* attributes.
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';

export interface PasskeyItemView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Synced between devices (a multi-device passkey). */
  synced: boolean;
}

export interface PasskeysView {
  items: PasskeyItemView[];
  /** An error next to the section's forms (already in the page's language). */
  error?: string | undefined;
  /** What the name field showed when adding was refused. */
  nameTyped?: string | undefined;
}

/** The scripts the pages with a passkey ceremony load (served by src/http/assets.ts). */
export const PASSKEY_SCRIPTS = ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js'];

const when = (t: Messages, date: Date | null): HtmlValue =>
  date
    ? html`<time datetime="${date.toISOString()}">${date.toLocaleString(t.locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC</time>`
    : t.passkeys.never;

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

/** The words passkeys.js shows while it works. */
export function scriptMessages(t: Messages): SafeHtml {
  const m = t.passkeys;
  return html` data-working="${m.working}" data-cancelled="${m.cancelled}" data-failed="${m.failed}" data-unsupported="${m.unsupported}"`;
}

function item(t: Messages, csrf: string, p: PasskeyItemView): SafeHtml {
  const m = t.passkeys;
  const field = `passkey-name-${p.id}`;
  return html`<li class="item">
<p class="item-title"><strong>${p.name}</strong> <span class="badge">${p.synced ? m.synced : m.deviceBound}</span></p>
<dl class="facts">
<dt>${m.added}</dt><dd>${when(t, p.createdAt)}</dd>
<dt>${m.lastUsed}</dt><dd>${when(t, p.lastUsedAt)}</dd>
</dl>
<details>
<summary>${m.rename}</summary>
<form method="post" action="/account/passkeys/rename">
${hidden('csrf', csrf)}${hidden('passkey', p.id)}
<div class="field">
<label for="${field}">${m.newName(p.name)}</label>
<input id="${field}" name="name" type="text" required maxlength="100" value="${p.name}">
</div>
<button type="submit" class="secondary" aria-label="${m.renameOf(p.name)}">${m.rename}</button>
</form>
</details>
<form method="post" action="/account/passkeys/remove">
${hidden('csrf', csrf)}${hidden('passkey', p.id)}
<button type="submit" class="secondary" aria-label="${m.removeOf(p.name)}">${m.remove}</button>
</form>
</li>`;
}

export function passkeysSection(t: Messages, csrf: string, view: PasskeysView): SafeHtml {
  const m = t.passkeys;
  return html`<section aria-labelledby="passkeys-heading" class="passkeys">
<h3 id="passkeys-heading">${m.heading}</h3>
<p class="muted">${m.lead}</p>
${view.error && html`<p class="alert" role="alert" id="passkey-error">${view.error}</p>`}
${view.items.length > 0 ? html`<ul class="items">${view.items.map((p) => item(t, csrf, p))}</ul>` : html`<p class="muted">${m.none}</p>`}
<p class="muted" id="passkey-needs-js">${m.needsJavaScript}</p>
<p class="muted" id="passkey-unsupported" hidden>${m.unsupported}</p>
<form method="post" action="/account/passkeys" id="passkey-add" data-options="/account/passkeys/options"${scriptMessages(t)} hidden>
${hidden('csrf', csrf)}${hidden('response', '')}
<div class="field">
<label for="passkey-name">${m.nameLabel}</label>
<input id="passkey-name" name="name" type="text" required maxlength="100" autocomplete="off" value="${view.nameTyped ?? ''}" aria-describedby="passkey-name-hint">
</div>
<p class="muted" id="passkey-name-hint">${m.nameHint}</p>
<button type="submit" class="primary">${m.add}</button>
<p class="muted" role="status" data-status></p>
</form>
</section>`;
}
