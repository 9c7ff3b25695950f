// The login page. On a failed attempt it shows one message whatever was wrong (unknown email or
// wrong password), keeps the typed email and the "Keep me signed in" choice, and moves the focus
// to the password. "Keep me signed in" (unchecked by default) asks for a session cookie that
// outlives the browser; without it the session ends when the browser closes.
import { html, type SafeHtml } from './html.js';
import { EN, type Messages } from './i18n/catalogue.js';
import { PASSKEY_SCRIPTS, scriptMessages } from './account/passkeys.js';
import { layout } from './layout.js';

export const LOGIN_FAILED_MESSAGE = EN.signIn.loginFailed;

/** What a throttled sign-in says (in English): the same words for every account, known or not. */
export const throttledMessage = EN.signIn.throttled;

export interface LoginView {
  uid: string;
  csrf: string;
  /** The app that asked (client name, or its client_id when it has none). */
  clientName: string;
  /** The email to show in the field: what was typed, or the RP's login_hint. */
  email?: string | undefined;
  /** True after a failed attempt. */
  failed?: boolean | undefined;
  /** Milliseconds before another attempt is allowed, when throttled. */
  throttledFor?: number | undefined;
  /** Whether "Keep me signed in" is ticked (kept across a failed attempt). */
  remember?: boolean | undefined;
  /** Sign-up is open: a "Create account" link under the form (carrying this sign-in along). */
  signUp?: boolean | undefined;
  /** Offer "Forgot password?" (mail is on). */
  forgotPassword?: boolean | undefined;
  /** Offer "Sign in with a passkey" (shown by views/assets/passkeys.js when the browser can). */
  passkey?: boolean | undefined;
  /** True after a passkey was not accepted. */
  passkeyFailed?: boolean | undefined;
}

/**
 * "Sign in with a passkey": hidden until passkeys.js shows it (JavaScript and WebAuthn available),
 * so without JavaScript the page is the password form alone. The script asks for options, lets the
 * browser pick a passkey, puts its answer in `response` and submits this form like the password's.
 */
function passkeyForm(t: Messages, uid: string, csrf: string, remember: boolean | undefined): SafeHtml {
  const path = `/interaction/${encodeURIComponent(uid)}/passkey`;
  return html`<div id="passkey-signin" hidden>
<p class="or">${t.passkeys.or}</p>
<form method="post" action="${path}" id="passkey-signin-form" data-options="${path}/options"${scriptMessages(t)}>
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="response" value="">
<input type="hidden" name="${REMEMBER_FIELD}" value="${remember ? REMEMBER_VALUE : ''}">
<button type="submit" class="secondary">${t.passkeys.signInButton}</button>
<p class="muted" role="status" data-status></p>
</form>
</div>`;
}

/** The checkbox's name and the value a ticked box submits. */
export const REMEMBER_FIELD = 'remember';
export const REMEMBER_VALUE = 'yes';

export function loginPage(t: Messages, view: LoginView): SafeHtml {
  const { uid, csrf, clientName, email, failed, throttledFor, remember, signUp, forgotPassword, passkey, passkeyFailed } = view;
  const m = t.signIn;
  const prefilled = Boolean(email);
  const alert = throttledFor !== undefined ? m.throttled(throttledFor) : passkeyFailed ? t.passkeys.signInFailed : failed ? m.loginFailed : undefined;
  return layout({
    title: m.signInTitle,
    locale: t.locale,
    ...(passkey ? { scripts: PASSKEY_SCRIPTS } : {}),
    body: html`<h1>${m.signInTitle}</h1>
<p class="lead">${m.toContinueTo(clientName)}</p>
${alert && html`<p class="alert" role="alert" id="login-error">${alert}</p>`}
<form method="post" action="/interaction/${encodeURIComponent(uid)}/login"${alert ? html` aria-describedby="login-error"` : ''}>
<input type="hidden" name="csrf" value="${csrf}">
<div class="field">
<label for="email">${m.email}</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${email ?? ''}"${prefilled ? '' : html` autofocus`}>
</div>
<div class="field">
<label for="password">${m.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${prefilled ? html` autofocus` : ''}>
</div>
<div class="check">
<input id="remember" name="${REMEMBER_FIELD}" type="checkbox" value="${REMEMBER_VALUE}"${remember ? html` checked` : ''}>
<label for="remember">${m.rememberMe}</label>
</div>
<button type="submit" class="primary">${m.signInButton}</button>
</form>
${passkey && passkeyForm(t, uid, csrf, remember)}
${
  forgotPassword &&
  html`<p class="aside"><a href="/forgot-password?return=/interaction/${encodeURIComponent(uid)}&amp;ui_locales=${t.locale}">${t.passwordReset.forgotLink}</a></p>`
}
${signUp && html`<p><a href="/sign-up?interaction=${encodeURIComponent(uid)}">${t.signUp.createAccount}</a></p>`}`,
  });
}
