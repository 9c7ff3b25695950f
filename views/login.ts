// The login page. On a failed attempt it shows one message whatever was wrong (unknown email or
// wrong password), keeps the typed email and the "Keep me signed in" choice, and moves the focus
// to the password. "Keep me signed in" (unchecked by default) asks for a session cookie that
// outlives the browser; without it the session ends when the browser closes.
import { html, type SafeHtml } from '../src/http/html.js';
import { layout } from './layout.js';

export const LOGIN_FAILED_MESSAGE = 'Incorrect email or password.';

export interface LoginView {
  uid: string;
  csrf: string;
  /** The app that asked (client name, or its client_id when it has none). */
  clientName: string;
  /** The email to show in the field: what was typed, or the RP's login_hint. */
  email?: string | undefined;
  /** True after a failed attempt. */
  failed?: boolean | undefined;
  /** Whether "Keep me signed in" is ticked (kept across a failed attempt). */
  remember?: boolean | undefined;
}

/** The checkbox's name and the value a ticked box submits. */
export const REMEMBER_FIELD = 'remember';
export const REMEMBER_VALUE = 'yes';

export function loginPage({ uid, csrf, clientName, email, failed, remember }: LoginView): SafeHtml {
  const prefilled = Boolean(email);
  return layout({
    title: 'Sign in',
    body: html`<h1>Sign in</h1>
<p class="lead">to continue to <strong>${clientName}</strong></p>
${failed && html`<p class="alert" role="alert" id="login-error">${LOGIN_FAILED_MESSAGE}</p>`}
<form method="post" action="/interaction/${encodeURIComponent(uid)}/login"${failed ? html` aria-describedby="login-error"` : ''}>
<input type="hidden" name="csrf" value="${csrf}">
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${email ?? ''}"${prefilled ? '' : html` autofocus`}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${prefilled ? html` autofocus` : ''}>
</div>
<div class="check">
<input id="remember" name="${REMEMBER_FIELD}" type="checkbox" value="${REMEMBER_VALUE}"${remember ? html` checked` : ''}>
<label for="remember">Keep me signed in</label>
</div>
<button type="submit" class="primary">Sign in</button>
</form>`,
  });
}
