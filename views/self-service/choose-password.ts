// The page a mailed link opens (a password reset or an invitation): choose a password, typed
// twice. The link's token is not in this page's address nor in its form: the first visit moved it
// into a cookie for this path only (src/http/self-service/link-pages.ts).
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { layout } from '../layout.js';
import { FORGOT_PASSWORD_PATH } from './forgot-password.js';

export type LinkKind = 'password_reset' | 'invitation';

export interface ChoosePasswordView {
  kind: LinkKind;
  /** Where the form posts (the page's own path). */
  action: string;
  csrf: string;
  /** Whose password it is (also for password managers). */
  email: string;
  returnTo?: string | undefined;
  /** Why the last attempt was refused, in the page's language. */
  error?: string | undefined;
}

export function choosePasswordPage(t: Messages, { kind, action, csrf, email, returnTo, error }: ChoosePasswordView): SafeHtml {
  const m = t.passwordReset;
  const title = kind === 'invitation' ? t.invitations.chooseTitle : m.chooseTitle;
  return layout({
    title,
    locale: t.locale,
    body: html`<h1>${title}</h1>
<p class="lead">${kind === 'invitation' ? t.invitations.welcome(email) : m.chooseFor(email)}</p>
${error && html`<p class="alert" role="alert" id="password-error">${error}</p>`}
<form method="post" action="${action}"${error ? html` aria-describedby="password-error"` : ''}>
<input type="hidden" name="csrf" value="${csrf}">
${returnTo && html`<input type="hidden" name="return" value="${returnTo}">`}
<input type="email" name="username" autocomplete="username" value="${email}" hidden readonly>
<div class="field">
<label for="password">${m.newPassword}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required autofocus>
</div>
<div class="field">
<label for="confirm">${m.confirmPassword}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
</div>
${kind === 'password_reset' && html`<p class="aside">${m.signsOutEverywhere}</p>`}
<button type="submit" class="primary">${m.setButton}</button>
</form>`,
  });
}

/** The link is unknown, expired, used, or replaced by a newer one. */
export function linkExpiredPage(t: Messages, { kind }: { kind: LinkKind }): SafeHtml {
  if (kind === 'invitation') {
    const m = t.invitations;
    return layout({ title: m.linkExpiredTitle, locale: t.locale, body: html`<h1>${m.linkExpiredTitle}</h1>\n<p class="lead">${m.linkExpired}</p>` });
  }
  const m = t.passwordReset;
  return layout({
    title: m.linkExpiredTitle,
    locale: t.locale,
    body: html`<h1>${m.linkExpiredTitle}</h1>
<p class="lead">${m.linkExpired}</p>
<p><a class="button" href="${FORGOT_PASSWORD_PATH}">${m.askAgain}</a></p>`,
  });
}

/** The password is set. **Sign in** goes back to the sign-in the person came from, or else to their account page. */
export function passwordSetPage(t: Messages, { kind, returnTo }: { kind: LinkKind; returnTo?: string | undefined }): SafeHtml {
  const m = t.passwordReset;
  const title = kind === 'invitation' ? t.invitations.doneTitle : m.doneTitle;
  return layout({
    title,
    locale: t.locale,
    body: html`<h1>${title}</h1>
<p class="lead" role="status">${kind === 'invitation' ? t.invitations.done : m.done}</p>
<p><a class="button" href="${returnTo ?? '/account'}">${m.signIn}</a></p>
${!returnTo && kind === 'password_reset' && html`<p class="aside">${m.signInFromApp}</p>`}`,
  });
}
