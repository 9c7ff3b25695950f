// The pages a mailed verification link opens. The link itself (GET) changes nothing: it shows the
// address and a button that POSTs. Mail scanners and link previewers fetch GET links from mails
// (some follow every link of every message), so a GET that verified would verify addresses nobody
// looked at; a form they do not submit. The POST carries the token in the form, not the URL.
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { layout } from '../layout.js';
import { signInUrl, withInteraction } from './sign-up.js';

export function confirmEmailPage(t: Messages, view: { csrf: string; token: string; email: string; interaction?: string | undefined }): SafeHtml {
  const m = t.signUp;
  return layout({
    title: m.confirmTitle,
    locale: t.locale,
    body: html`<h1>${m.confirmTitle}</h1>
<p class="lead">${m.confirmText(view.email)}</p>
<form method="post" action="/verify-email">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="token" value="${view.token}">
${view.interaction && html`<input type="hidden" name="interaction" value="${view.interaction}">`}
<button type="submit" class="primary">${m.confirmButton}</button>
</form>`,
  });
}

export function invalidLinkPage(t: Messages, view: { interaction?: string | undefined }): SafeHtml {
  const m = t.signUp;
  return layout({
    title: m.invalidTitle,
    locale: t.locale,
    body: html`<h1>${m.invalidTitle}</h1>
<p class="lead">${m.invalid}</p>
<p><a href="${withInteraction('/verify-email/resend', view.interaction)}">${m.resendButton}</a></p>`,
  });
}

export interface VerifiedView {
  email: string;
  /** The address was changed to `email` (not just verified). */
  changed: boolean;
  /** The sign-in the person started from, when it is still going: they can continue it. */
  continueTo?: { interaction: string; clientName: string } | undefined;
}

export function verifiedPage(t: Messages, view: VerifiedView): SafeHtml {
  const m = t.signUp;
  return layout({
    title: m.verifiedTitle,
    locale: t.locale,
    body: html`<h1>${m.verifiedTitle}</h1>
<p class="lead">${view.changed ? m.changed(view.email) : m.verified(view.email)}</p>
${
  view.continueTo
    ? html`<p><a class="button" href="${signInUrl(view.continueTo.interaction)}">${m.continueTo(view.continueTo.clientName)}</a></p>`
    : html`<p>${m.canSignIn}</p>`
}`,
  });
}

export function emailTakenPage(t: Messages): SafeHtml {
  const m = t.signUp;
  return layout({ title: m.takenTitle, locale: t.locale, body: html`<h1>${m.takenTitle}</h1>\n<p class="lead">${m.taken}</p>` });
}

export function resendPage(
  t: Messages,
  view: { csrf: string; email?: string | undefined; interaction?: string | undefined; throttledFor?: number | undefined },
): SafeHtml {
  const m = t.signUp;
  return layout({
    title: m.resendTitle,
    locale: t.locale,
    body: html`<h1>${m.resendTitle}</h1>
<p class="lead">${m.resendLead}</p>
${view.throttledFor !== undefined && html`<p class="alert" role="alert">${t.signIn.throttled(view.throttledFor)}</p>`}
<form method="post" action="/verify-email/resend">
<input type="hidden" name="csrf" value="${view.csrf}">
${view.interaction && html`<input type="hidden" name="interaction" value="${view.interaction}">`}
<div class="field">
<label for="email">${m.email}</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="${view.email ?? ''}" autofocus>
</div>
<button type="submit" class="primary">${m.resendButton}</button>
</form>`,
  });
}
