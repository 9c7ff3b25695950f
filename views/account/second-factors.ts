// The account page's "Second factors" section and the pages of adding an authenticator app: the
// QR code with the key as text and "Authentication code" / "Verify", then the recovery codes,
// shown once. Forms only, no script; everything printed is escaped except the QR code's SVG,
// which `qrcode` draws from the otpauth URI (paths only, no text from anyone).
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { layout } from '../layout.js';

export interface SecondFactorsView {
  /** The authenticator app, once confirmed. */
  totp: { confirmedAt: Date } | null;
  recoveryCodesLeft: number;
}

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

const date = (t: Messages, value: Date): SafeHtml =>
  html`<time datetime="${value.toISOString()}">${value.toLocaleDateString(t.locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' })}</time>`;

/** The section's content (inside the account page's "Second factors" section). `error`: next to its form. */
export function secondFactorsSection(t: Messages, csrf: string, view: SecondFactorsView, error?: { form: 'regenerate' | 'remove'; message: string }): SafeHtml {
  const m = t.mfa;
  const alert = (form: 'regenerate' | 'remove') => (error?.form === form ? html`<p class="alert" role="alert" id="${form}-error">${error.message}</p>` : '');
  const described = (form: 'regenerate' | 'remove') => (error?.form === form ? html` aria-describedby="${form}-error"` : '');
  if (!view.totp) {
    return html`<p class="muted">${m.factorsLead}</p>
<h3>${m.appHeading}</h3>
<p><span class="badge">${m.appOff}</span></p>
<form method="post" action="/account/authenticator">
${hidden('csrf', csrf)}
<button type="submit" class="primary">${m.addApp}</button>
</form>`;
  }
  return html`<p class="muted">${m.factorsLead}</p>
<h3>${m.appHeading}</h3>
<p><span class="badge">${m.appOn}</span> ${m.appAdded}: ${date(t, view.totp.confirmedAt)}</p>
<h3>${m.recoveryHeading}</h3>
<p id="recovery-left">${m.recoveryLeft(view.recoveryCodesLeft)}</p>
${alert('regenerate')}
<form method="post" action="/account/recovery-codes">
${hidden('csrf', csrf)}
<p class="muted">${m.regenerateHint}</p>
<div class="field">
<label for="regenerate_code">${m.code}</label>
<input id="regenerate_code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*" autocomplete="one-time-code" required maxlength="16"${described('regenerate')}>
</div>
<button type="submit" class="secondary">${m.regenerate}</button>
</form>
${alert('remove')}
<form method="post" action="/account/authenticator/remove">
${hidden('csrf', csrf)}
<p class="muted">${m.removeHint}</p>
<div class="field">
<label for="remove_password">${m.currentPassword}</label>
<input id="remove_password" name="current_password" type="password" autocomplete="current-password" required${described('remove')}>
</div>
<button type="submit" class="secondary">${m.remove}</button>
</form>`;
}

export interface EnrolView {
  csrf: string;
  /** The QR code, as SVG markup from `qrcode`. */
  qrSvg: SafeHtml;
  /** The key, base32 in groups of four. */
  groupedKey: string;
  /** After a wrong code (or a lockout): the message. */
  error?: string | undefined;
  /** Where the code is posted: the account page's route, unless a sign-in's enrolment says otherwise. */
  action?: string | undefined;
  /**
   * A sign-in that requires a second factor (MFA_POLICY, the app's setting): the app's name for the
   * lead, and no way back to the account page (the person is not signed in yet). `passkeyHref`: the
   * person has a passkey and chose to add an app instead; the link back to the passkey step.
   */
  signIn?: { clientName: string; passkeyHref?: string | undefined } | undefined;
}

export function enrolPage(t: Messages, view: EnrolView): SafeHtml {
  const m = t.mfa;
  return layout({
    title: m.enrolTitle,
    locale: t.locale,
    body: html`<h1>${m.enrolTitle}</h1>
${view.signIn && html`<p class="lead">${m.enrolRequired(view.signIn.clientName)}</p>`}
<p>${m.scan}</p>
<figure class="qr" role="img" aria-label="${m.qrAlt}">${view.qrSvg}</figure>
<p>${m.orTypeKey}</p>
<p>${m.key}: <code class="secret" id="totp-key">${view.groupedKey}</code></p>
<p class="muted">${m.keyDetails}</p>
${view.error && html`<p class="alert" role="alert" id="code-error">${view.error}</p>`}
<form method="post" action="${view.action ?? '/account/authenticator/verify'}">
${hidden('csrf', view.csrf)}
<p>${m.enterCode}</p>
<div class="field">
<label for="code">${m.code}</label>
<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*" autocomplete="one-time-code" required maxlength="16" autofocus${view.error ? html` aria-describedby="code-error"` : ''}>
</div>
<button type="submit" class="primary">${m.verify}</button>
</form>
${
  view.signIn
    ? view.signIn.passkeyHref && html`<p class="aside"><a href="${view.signIn.passkeyHref}">${m.usePasskeyInstead}</a></p>`
    : html`<p class="aside"><a href="/account">${m.cancel}</a></p>`
}`,
  });
}

/** `next`: where "I have saved my recovery codes" leads (the account page unless a sign-in goes on). */
export function recoveryCodesPage(t: Messages, view: { codes: string[]; notice?: string | undefined; next?: string | undefined }): SafeHtml {
  const m = t.mfa;
  return layout({
    title: m.codesTitle,
    locale: t.locale,
    body: html`<h1>${m.codesTitle}</h1>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
<p>${m.codesLead}</p>
<ul class="recovery-codes secret" id="recovery-codes">${view.codes.map((code) => html`<li>${code}</li>`)}</ul>
<p><a class="button primary" href="${view.next ?? '/account'}">${m.codesDone}</a></p>`,
  });
}
