// The sign-up page (SIGNUP=open): Email, Name, Password and a "Create account" button; after it,
// the "check your mail" page, which is the same whether the address had an account or not. The
// sign-in it came from (an app's interaction) is carried along in a hidden field, so the mailed
// link and the pages can lead back to it.
import { html, type SafeHtml } from '../html.js';
import type { PasswordRule } from '../../src/domain/accounts/password.js';
import type { Messages } from '../i18n/catalogue.js';
import { layout } from '../layout.js';

export type SignUpProblemView = 'email' | 'domain' | 'name' | 'password';

export interface SignUpView {
  csrf: string;
  /** The sign-in (interaction uid) the person came from, if any. */
  interaction?: string | undefined;
  /** The app that asked for the sign-in. */
  clientName?: string | undefined;
  /** What was typed (never the password). */
  email?: string | undefined;
  name?: string | undefined;
  problem?: SignUpProblemView | undefined;
  /** The password rule that failed (problem 'password'): the account page's words for it. */
  passwordRule?: PasswordRule | undefined;
  /** Milliseconds before the form may be used again, when throttled. */
  throttledFor?: number | undefined;
  /** SIGNUP_DOMAINS (empty: any). */
  domains: readonly string[];
  minPasswordLength: number;
}

const signInUrl = (interaction: string) => `/interaction/${encodeURIComponent(interaction)}`;
const withInteraction = (path: string, interaction?: string) => (interaction ? `${path}?interaction=${encodeURIComponent(interaction)}` : path);

function backToSignIn(t: Messages, interaction: string | undefined): SafeHtml | undefined {
  return interaction ? html`<p>${t.signUp.haveAccount} <a href="${signInUrl(interaction)}">${t.signUp.signIn}</a></p>` : undefined;
}

export function signUpPage(t: Messages, view: SignUpView): SafeHtml {
  const m = t.signUp;
  const { problem, domains } = view;
  const alert =
    view.throttledFor !== undefined
      ? t.signIn.throttled(view.throttledFor)
      : problem === 'email'
        ? m.badEmail
        : problem === 'domain'
          ? m.badDomain(domains)
          : problem === 'name'
            ? m.badName
            : problem === 'password'
              ? view.passwordRule
                ? t.account.passwordRules[view.passwordRule]
                : m.badPassword(view.minPasswordLength)
              : undefined;
  // The focus goes to the field to fix, or the first one.
  const focus = problem === 'domain' ? 'email' : (problem ?? 'email');
  const autofocus = (field: string) => (field === focus ? html` autofocus` : '');
  const described = (field: string, hint?: string) => {
    const ids = [alert && field === focus ? 'signup-error' : undefined, hint].filter(Boolean).join(' ');
    return ids ? html` aria-describedby="${ids}"` : '';
  };
  return layout({
    title: m.createAccount,
    locale: t.locale,
    body: html`<h1>${m.createAccount}</h1>
<p class="lead">${view.clientName ? t.signIn.toContinueTo(view.clientName) : m.createAccountLead}</p>
${alert && html`<p class="alert" role="alert" id="signup-error">${alert}</p>`}
<form method="post" action="${withInteraction('/sign-up', view.interaction)}">
<input type="hidden" name="csrf" value="${view.csrf}">
${view.interaction && html`<input type="hidden" name="interaction" value="${view.interaction}">`}
<div class="field">
<label for="email">${m.email}</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="${view.email ?? ''}"${autofocus('email')}${described('email', domains.length > 0 ? 'email-hint' : undefined)}>
${domains.length > 0 && html`<p class="hint" id="email-hint">${m.domainHint(domains)}</p>`}
</div>
<div class="field">
<label for="name">${m.name}</label>
<input id="name" name="name" type="text" autocomplete="name" required maxlength="200" value="${view.name ?? ''}"${autofocus('name')}${described('name')}>
</div>
<div class="field">
<label for="password">${m.password}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${view.minPasswordLength}"${autofocus('password')}${described('password', 'password-hint')}>
<p class="hint" id="password-hint">${m.passwordHint(view.minPasswordLength)}</p>
</div>
<button type="submit" class="primary">${m.createAccount}</button>
</form>
${backToSignIn(t, view.interaction)}`,
  });
}

/** After a sign-up (and after asking for a new link): the same page whatever the address. */
export function checkMailPage(t: Messages, view: { email: string; interaction?: string | undefined; resent?: boolean }): SafeHtml {
  const m = t.signUp;
  return layout({
    title: m.checkMailTitle,
    locale: t.locale,
    body: html`<h1>${m.checkMailTitle}</h1>
<p class="lead">${view.resent ? m.resentText(view.email) : m.checkMail(view.email)}</p>
<p>${m.checkMailMore}</p>
<p><a href="${withInteraction('/verify-email/resend', view.interaction)}">${m.resendButton}</a></p>
${view.interaction && html`<p><a href="${signInUrl(view.interaction)}">${m.backToSignIn}</a></p>`}`,
  });
}

export { withInteraction, signInUrl };
