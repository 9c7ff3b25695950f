// "Forgot password?": the page that asks for the email, and its answers. The answer after asking
// is the same page whatever the email (known, unknown, disabled, over its limit): it never says
// whether an account exists.
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { layout } from '../layout.js';

export const FORGOT_PASSWORD_PATH = '/forgot-password';

export interface ForgotPasswordView {
  csrf: string;
  /** The sign-in the person came from (/interaction/<uid>), to go back to. */
  returnTo?: string | undefined;
  /** What was typed, after a refused attempt. */
  email?: string | undefined;
  invalid?: boolean | undefined;
}

const backLink = (t: Messages, returnTo: string | undefined) =>
  returnTo && html`<p class="aside"><a href="${returnTo}">${t.passwordReset.backToSignIn}</a></p>`;

export function forgotPasswordPage(t: Messages, { csrf, returnTo, email, invalid }: ForgotPasswordView): SafeHtml {
  const m = t.passwordReset;
  return layout({
    title: m.forgotTitle,
    locale: t.locale,
    body: html`<h1>${m.forgotTitle}</h1>
<p class="lead">${m.forgotIntro}</p>
${invalid && html`<p class="alert" role="alert" id="forgot-error">${m.invalidEmail}</p>`}
<form method="post" action="${FORGOT_PASSWORD_PATH}?ui_locales=${t.locale}"${invalid ? html` aria-describedby="forgot-error"` : ''}>
<input type="hidden" name="csrf" value="${csrf}">
${returnTo && html`<input type="hidden" name="return" value="${returnTo}">`}
<div class="field">
<label for="email">${m.email}</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${email ?? ''}">
</div>
<button type="submit" class="primary">${m.sendButton}</button>
</form>
${backLink(t, returnTo)}`,
  });
}

/** The one answer to every request that was not refused outright. */
export function resetRequestedPage(t: Messages, { returnTo }: { returnTo?: string | undefined }): SafeHtml {
  const m = t.passwordReset;
  return layout({
    title: m.sentTitle,
    locale: t.locale,
    body: html`<h1>${m.sentTitle}</h1>
<p class="lead">${m.sent}</p>
<p>${m.sentHint}</p>
${backLink(t, returnTo)}`,
  });
}

/** Too many requests from this address (never said about an email). */
export function resetThrottledPage(t: Messages, { returnTo }: { returnTo?: string | undefined }): SafeHtml {
  const m = t.passwordReset;
  return layout({
    title: m.throttledTitle,
    locale: t.locale,
    body: html`<h1>${m.throttledTitle}</h1>
<p class="lead" role="alert">${m.throttled}</p>
${backLink(t, returnTo)}`,
  });
}

/** Mail is off: nothing can be reset here. */
export function resetUnavailablePage(t: Messages, { returnTo }: { returnTo?: string | undefined }): SafeHtml {
  const m = t.passwordReset;
  return layout({
    title: m.unavailableTitle,
    locale: t.locale,
    body: html`<h1>${m.unavailableTitle}</h1>
<p class="lead">${m.unavailable}</p>
${backLink(t, returnTo)}`,
  });
}
