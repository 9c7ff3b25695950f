// The account page: one page, one section per thing a person manages, each change its own small
// form (POST with the page's CSRF token, then a redirect back here with a one-line notice, or the
// page again with the error next to the form). It works without JavaScript; the one script
// (views/assets/passkeys.js, from Sesame itself) only adds passkeys. Everything printed goes
// through the html tag (escaped).
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { layout } from '../layout.js';
import { secondFactorsSection, type SecondFactorsView } from './second-factors.js';
import { PASSKEY_SCRIPTS, passkeysSection, type PasskeysView } from './passkeys.js';

export interface AccountSessionView {
  uid: string;
  current: boolean;
  loginAt: Date | null;
  createdAt: Date;
  expiresAt: Date | null;
  /** The names of the apps signed in through it. */
  apps: string[];
}

export interface AccountAppView {
  grantId: string;
  name: string;
  scopes: string[];
  createdAt: Date;
}

export interface AccountView {
  csrf: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  sessions: AccountSessionView[];
  apps: AccountAppView[];
  /** A one-line notice after a change (already in the page's language). */
  notice?: string | undefined;
  /** Errors next to their section's form. */
  errors?: { name?: string; email?: string; password?: string; form?: string } | undefined;
  /** Mail is on: the email can be changed (a link to the new address) and verified. */
  emailChange?: boolean | undefined;
  /** What the new-email field showed when the change was refused. */
  emailTyped?: string | undefined;
  /** What the name field showed when saving it failed. */
  nameTyped?: string | undefined;
  /** The person's second factors (the "Second factors" section). */
  secondFactors: SecondFactorsView;
  /** An error next to a second-factor form. */
  factorError?: { form: 'regenerate' | 'remove'; message: string } | undefined;
  /** The person's passkeys (the "Passkeys" section; none: no section). */
  passkeys?: PasskeysView | undefined;
}

const when = (t: Messages, date: Date | null): HtmlValue =>
  date
    ? html`<time datetime="${date.toISOString()}">${date.toLocaleString(t.locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC</time>`
    : '–';

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;

/** Changing the address (a link goes to the new one; it changes when the link is opened) and confirming it. */
function emailForms(t: Messages, view: AccountView): SafeHtml {
  const m = t.signUp;
  const error = view.errors?.email;
  return html`${
    !view.emailVerified &&
    html`<form method="post" action="/account/verify-email">
${hidden('csrf', view.csrf)}
<button type="submit" class="secondary">${m.verifyOwn}</button>
</form>
`
  }${error && html`<p class="alert" role="alert" id="email-error">${error}</p>`}
<form method="post" action="/account/email">
${hidden('csrf', view.csrf)}
<div class="field">
<label for="new_email">${m.newEmail}</label>
<input id="new_email" name="email" type="email" inputmode="email" autocomplete="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="${view.emailTyped ?? ''}"${error ? html` aria-describedby="email-error"` : ''}>
</div>
<button type="submit" class="primary">${m.changeEmailButton}</button>
</form>`;
}

function sessionItem(t: Messages, csrf: string, s: AccountSessionView): SafeHtml {
  const m = t.account;
  return html`<li class="item${s.current ? ' current' : ''}">
<p class="item-title">${s.current ? html`<strong>${m.thisDevice}</strong>` : m.otherSession}</p>
<dl class="facts">
<dt>${m.signedIn}</dt><dd>${when(t, s.loginAt)}</dd>
<dt>${m.created}</dt><dd>${when(t, s.createdAt)}</dd>
<dt>${m.expires}</dt><dd>${when(t, s.expiresAt)}</dd>
<dt>${m.apps}</dt><dd>${s.apps.length > 0 ? s.apps.join(', ') : m.noApps}</dd>
</dl>
${
  !s.current &&
  html`<form method="post" action="/account/sessions/end">
${hidden('csrf', csrf)}${hidden('session', s.uid)}
<button type="submit" class="secondary">${m.signOutSession}</button>
</form>`
}
</li>`;
}

function appItem(t: Messages, csrf: string, a: AccountAppView): SafeHtml {
  const m = t.account;
  return html`<li class="item">
<p class="item-title"><strong>${a.name}</strong></p>
<ul class="scopes">${a.scopes.map((scope) => html`<li>${m.scopes[scope] ?? scope}</li>`)}</ul>
<p class="muted">${m.allowed}: ${when(t, a.createdAt)}</p>
<form method="post" action="/account/apps/revoke">
${hidden('csrf', csrf)}${hidden('grant', a.grantId)}
<button type="submit" class="secondary" aria-label="${m.revoke}: ${a.name}">${m.revoke}</button>
</form>
</li>`;
}

export function accountPage(t: Messages, view: AccountView): SafeHtml {
  const m = t.account;
  const { csrf, errors = {} } = view;
  const others = view.sessions.filter((s) => !s.current);
  return layout({
    title: m.title,
    locale: t.locale,
    wide: true,
    ...(view.passkeys ? { scripts: PASSKEY_SCRIPTS } : {}),
    body: html`<h1>${m.title}</h1>
<p class="lead">${m.signedInAs(view.email)}</p>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
${errors.form && html`<p class="alert" role="alert">${errors.form}</p>`}

<section aria-labelledby="name-heading">
<h2 id="name-heading">${m.nameHeading}</h2>
${errors.name && html`<p class="alert" role="alert" id="name-error">${errors.name}</p>`}
<form method="post" action="/account/name">
${hidden('csrf', csrf)}
<div class="field">
<label for="name">${m.name}</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="200" value="${view.nameTyped ?? view.name ?? ''}"${errors.name ? html` aria-describedby="name-error"` : ''}>
</div>
<button type="submit" class="primary">${m.saveName}</button>
</form>
</section>

<section aria-labelledby="email-heading">
<h2 id="email-heading">${m.emailHeading}</h2>
<p><span class="code">${view.email}</span> <span class="badge">${view.emailVerified ? m.verified : m.notVerified}</span></p>
${view.emailChange && emailForms(t, view)}
</section>

<section aria-labelledby="password-heading">
<h2 id="password-heading">${m.passwordHeading}</h2>
${errors.password && html`<p class="alert" role="alert" id="password-error">${errors.password}</p>`}
<form method="post" action="/account/password">
${hidden('csrf', csrf)}
<input type="hidden" name="username" autocomplete="username" value="${view.email}">
<div class="field">
<label for="current_password">${m.currentPassword}</label>
<input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
</div>
<div class="field">
<label for="new_password">${m.newPassword}</label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="10" maxlength="256" required aria-describedby="password-hint">
</div>
<div class="field">
<label for="confirm_password">${m.confirmNewPassword}</label>
<input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" minlength="10" maxlength="256" required>
</div>
<p class="muted" id="password-hint">${m.passwordHint}</p>
<button type="submit" class="primary">${m.changePassword}</button>
</form>
</section>

<section aria-labelledby="factors-heading">
<h2 id="factors-heading">${m.factorsHeading}</h2>
${secondFactorsSection(t, csrf, view.secondFactors, view.factorError)}
${view.passkeys && passkeysSection(t, csrf, view.passkeys)}
</section>

<section aria-labelledby="sessions-heading">
<h2 id="sessions-heading">${m.sessionsHeading}</h2>
<p class="muted">${m.sessionsLead}</p>
<ul class="items">${view.sessions.map((s) => sessionItem(t, csrf, s))}</ul>
${
  others.length > 0
    ? html`<form method="post" action="/account/sessions/others">
${hidden('csrf', csrf)}
<button type="submit" class="secondary">${m.signOutOthers}</button>
</form>`
    : html`<p class="muted">${m.noOtherSessions}</p>`
}
</section>

<section aria-labelledby="apps-heading">
<h2 id="apps-heading">${m.appsHeading}</h2>
<p class="muted">${m.appsLead}</p>
${view.apps.length > 0 ? html`<ul class="items">${view.apps.map((a) => appItem(t, csrf, a))}</ul>` : html`<p class="muted">${m.noConnectedApps}</p>`}
</section>

<div class="actions">
<form method="get" action="/session/end">
<button type="submit" class="secondary">${m.signOut}</button>
</form>
</div>`,
  });
}
