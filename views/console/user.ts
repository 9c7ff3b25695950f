// Console user page (/admin/users/:id): the person, editing them, their password, disabling,
// unlocking, their second factors (reset after a confirmation page), their sessions and connected
// apps, and deleting them after a confirmation page.
// An admin viewing themselves gets no disable/delete/demote controls (the routes refuse too).
import type { User } from '../../src/domain/accounts/account-service.js';
import type { FactorOverview } from '../../src/domain/accounts/second-factors.js';
import type { UserGrant, UserSession } from '../../src/domain/accounts/user-sessions.js';
import { html, type SafeHtml } from '../html.js';
import { attributeLines } from '../../src/domain/claims/attributes.js';
import { consoleLayout, csrfField, date, describedBy, fieldError, type ConsoleFrame } from './layout.js';
import { mailedLinksSection, type MailedLinksView } from './mailed-links.js';

export interface UserEditValues {
  email: string;
  name: string;
  email_verified: boolean;
  is_admin: boolean;
  /** One attribute a line (attributeLines' syntax), as typed. */
  attributes: string;
}

export const editValuesOf = (user: User): UserEditValues => ({
  email: user.email,
  name: user.name ?? '',
  email_verified: user.emailVerified,
  is_admin: user.isAdmin,
  attributes: attributeLines(user.attributes).join('\n'),
});

export interface UserPageView {
  user: User;
  locked: boolean;
  self: boolean;
  sessions: UserSession[];
  grants: UserGrant[];
  /** client_id → client name, for the apps still registered. */
  clientNames: ReadonlyMap<string, string>;
  values: UserEditValues;
  errors: Record<string, string>;
  passwordErrors: Record<string, string>;
  /** Reset link / invitation buttons (undefined: not shown). */
  mailedLinks?: MailedLinksView;
  /** Their second factors (undefined: not shown). */
  factors?: FactorOverview;
  /** Their groups, with adding and removing (groups.ts groupsSection; undefined: not shown). */
  groups?: SafeHtml;
  /** The explain access panel (explain.ts; undefined: not shown). */
  explain?: SafeHtml;
}

const passkeyKind = (deviceType: string) => (deviceType === 'multiDevice' ? 'synced' : 'one device');

/** The person's second factors: the authenticator app, recovery codes left, passkeys (names and dates). */
function factorsSection(user: User, factors: FactorOverview): SafeHtml {
  const path = userPath(user.id);
  const any = factors.totp !== null || factors.enrolling || factors.passkeys.length > 0;
  return html`<h2 id="second-factors">Second factors</h2>
<dl class="details">
<dt>Authenticator app</dt><dd id="factor-totp">${
    factors.totp ? html`on since ${date(factors.totp.confirmedAt.toISOString())}` : factors.enrolling ? 'being added (not confirmed yet)' : 'off'
  }</dd>
<dt>Recovery codes left</dt><dd id="factor-recovery-codes">${factors.totp ? String(factors.recoveryCodesLeft) : html`<span class="muted">—</span>`}</dd>
<dt>Passkeys</dt><dd id="factor-passkeys">${factors.passkeys.length === 0 ? 'none' : String(factors.passkeys.length)}</dd>
</dl>
${
  factors.passkeys.length > 0 &&
  html`<div class="table-wrap"><table class="stack" id="passkeys">
<thead><tr><th scope="col">Passkey</th><th scope="col">Kind</th><th scope="col">Added</th><th scope="col">Last used</th></tr></thead>
<tbody>
${factors.passkeys.map(
  (p) => html`<tr>
<td data-label="Passkey">${p.name}</td>
<td data-label="Kind">${passkeyKind(p.deviceType)}</td>
<td data-label="Added">${date(p.createdAt.toISOString())}</td>
<td data-label="Last used">${p.lastUsedAt ? date(p.lastUsedAt.toISOString()) : html`<span class="muted">never</span>`}</td>
</tr>`,
)}
</tbody></table></div>`
}
${
  any
    ? html`<p class="muted">Someone who lost their phone and recovery codes, or their passkeys, can sign in again with their password once these are reset.</p>
<p><a class="button" href="${path}/factors/reset">Reset second factors…</a></p>`
    : html`<p class="muted">They sign in with their password alone.</p>`
}`;
}

export function resetFactorsPage(frame: ConsoleFrame, user: User, factors: FactorOverview): SafeHtml {
  const path = userPath(user.id);
  const items = [
    factors.totp || factors.enrolling ? 'their authenticator app' : '',
    factors.totp ? `their recovery codes (${factors.recoveryCodesLeft} left)` : '',
    ...factors.passkeys.map((p) => `passkey “${p.name}”`),
  ].filter(Boolean);
  return consoleLayout(frame, {
    title: `Reset second factors of ${user.email}`,
    section: 'users',
    body: html`<h1>Reset the second factors of ${user.email}?</h1>
<p class="lead">This removes:</p>
${items.length > 0 ? html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>` : html`<p class="muted">Nothing: they have no second factors.</p>`}
<p>They then sign in with their password alone, and can add an authenticator app and passkeys again on their account page. Make sure it is really them who asked.</p>
<div class="actions">
<form method="post" action="${path}/factors/reset">
${csrfField(frame.csrf)}
<button type="submit" class="danger">Reset second factors</button>
</form>
<a href="${path}">Cancel</a>
</div>`,
  });
}

export const userPath = (id: string): string => `/admin/users/${encodeURIComponent(id)}`;

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

const checkbox = (id: string, label: string, on: boolean, disabled = false) =>
  html`<div class="check">
<input id="${id}" name="${id}" type="checkbox" value="yes"${on ? html` checked` : ''}${disabled ? html` disabled` : ''}>
<label for="${id}">${label}</label>
</div>`;

function appName(clientNames: ReadonlyMap<string, string>, clientId: string | null): SafeHtml {
  if (!clientId) return html`<span class="muted">—</span>`;
  const name = clientNames.get(clientId);
  return name ? html`${name} <span class="muted code">${clientId}</span>` : html`<span class="code">${clientId}</span>`;
}

function sessionsSection(frame: ConsoleFrame, view: UserPageView): SafeHtml {
  const { user, sessions, grants, clientNames } = view;
  const path = userPath(user.id);
  return html`<h2 id="sessions">Sessions</h2>
${
  sessions.length === 0
    ? html`<p class="muted">No browser sessions.</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Session</th><th scope="col">Signed in</th><th scope="col">Expires</th><th scope="col">Apps</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>
${sessions.map(
  (s) => html`<tr>
<td data-label="Session" class="code nowrap">${s.uid}</td>
<td data-label="Signed in">${date(s.loginAt?.toISOString())}</td>
<td data-label="Expires">${date(s.expiresAt?.toISOString())}</td>
<td data-label="Apps">${s.clientIds.length ? s.clientIds.map((id, i) => html`${i > 0 ? ', ' : ''}${appName(clientNames, id)}`) : html`<span class="muted">—</span>`}</td>
<td data-label="Actions"><form method="post" action="${path}/sessions/${encodeURIComponent(s.uid)}/revoke">
${csrfField(frame.csrf)}
<button type="submit" class="link" aria-label="End session ${s.uid}">End session</button>
</form></td>
</tr>`,
)}
</tbody></table></div>`
}
<h2 id="apps">Connected apps</h2>
${
  grants.length === 0
    ? html`<p class="muted">No connected apps.</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">App</th><th scope="col">Scope</th><th scope="col">Since</th><th scope="col">Expires</th></tr></thead>
<tbody>
${grants.map(
  (g) => html`<tr>
<td data-label="App">${appName(clientNames, g.clientId)}</td>
<td data-label="Scope" class="code">${g.scope ?? ''}</td>
<td data-label="Since">${date(g.createdAt.toISOString())}</td>
<td data-label="Expires">${date(g.expiresAt?.toISOString())}</td>
</tr>`,
)}
</tbody></table></div>`
}
${
  (sessions.length > 0 || grants.length > 0) &&
  html`<form method="post" action="${path}/sessions/revoke-all">
${csrfField(frame.csrf)}
<p class="muted">Ending everything signs them out of Sesame everywhere and stops every token their apps hold.</p>
<button type="submit" class="secondary">End all sessions and app access</button>
</form>`
}`;
}

export function userPage(frame: ConsoleFrame, view: UserPageView): SafeHtml {
  const { user, locked, self, values, errors, passwordErrors } = view;
  const path = userPath(user.id);
  const state = user.disabled ? 'disabled' : locked ? 'locked' : 'active';
  return consoleLayout(frame, {
    title: user.email,
    section: 'users',
    body: html`<p><a href="/admin/users">← Users</a></p>
<h1>${user.name || user.email}</h1>
<dl class="details">
<dt>Email</dt><dd id="user-email">${user.email}</dd>
<dt>Name</dt><dd>${user.name ?? html`<span class="muted">—</span>`}</dd>
<dt>Email verified</dt><dd>${yesNo(user.emailVerified)}</dd>
<dt>Administrator</dt><dd>${yesNo(user.isAdmin)}</dd>
<dt>State</dt><dd><span class="state ${state === 'active' ? 'state-active' : 'state-disabled'}" id="user-state">${state}</span></dd>
<dt>Created</dt><dd>${date(user.createdAt.toISOString())}</dd>
<dt>User ID (sub)</dt><dd class="code">${user.id}</dd>
</dl>
${
  locked &&
  html`<p class="alert" role="status">Sign-in is locked after too many wrong passwords.</p>
<form method="post" action="${path}/unlock">
${csrfField(frame.csrf)}
<input type="hidden" name="back" value="user">
<button type="submit" class="primary">Unlock</button>
</form>`
}
<h2 id="edit">Edit</h2>
${Object.keys(errors).length > 0 && html`<p class="alert" role="alert">Nothing was changed: see below.</p>`}
<form method="post" action="${path}">
${csrfField(frame.csrf)}
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" required autocomplete="off" autocapitalize="none" spellcheck="false" value="${values.email}"${describedBy(errors, 'email')}>
${fieldError(errors, 'email')}
</div>
<div class="field">
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="off" value="${values.name}"${describedBy(errors, 'name')}>
${fieldError(errors, 'name')}
</div>
${checkbox('email_verified', 'Email address verified', values.email_verified)}
${checkbox('is_admin', self ? 'Administrator (you cannot remove your own role)' : 'Administrator (may use this console)', values.is_admin, self)}
${self && html`<input type="hidden" name="is_admin" value="yes">`}
<div class="field">
<label for="attributes">Attributes</label>
<textarea id="attributes" name="attributes" rows="3" spellcheck="false" autocapitalize="none"${describedBy(errors, 'attributes')}>${values.attributes}</textarea>
<p class="hint">One a line: grafana_role=Admin (text), or key:=JSON for a number, true/false or a list (teams:=["ops","dev"]). Apps' extra claims are taken from these.</p>
${fieldError(errors, 'attributes')}
</div>
${fieldError(errors, 'form')}
<button type="submit" class="primary">Save changes</button>
</form>
<h2 id="password">Password</h2>
${Object.keys(passwordErrors).length > 0 && html`<p class="alert" role="alert">The password was not set: see below.</p>`}
<form method="post" action="${path}/password">
${csrfField(frame.csrf)}
<div class="field">
<label for="new_password">New password</label>
<input id="new_password" name="new_password" type="password" required autocomplete="new-password"${describedBy(passwordErrors, 'new_password')}>
${fieldError(passwordErrors, 'new_password')}
</div>
<div class="field">
<label for="confirm_password">Confirm new password</label>
<input id="confirm_password" name="confirm_password" type="password" required autocomplete="new-password"${describedBy(passwordErrors, 'confirm_password')}>
${fieldError(passwordErrors, 'confirm_password')}
</div>
<p class="muted">Their sessions stay; end them below if the old password may have leaked.</p>
<button type="submit" class="primary">Set password</button>
</form>
${view.mailedLinks && mailedLinksSection(frame, user, view.mailedLinks)}
${view.factors && factorsSection(user, view.factors)}
${view.groups}
${view.explain}
${sessionsSection(frame, view)}
<h2 id="access">Access</h2>
${
  self
    ? html`<p class="muted">You cannot disable or delete yourself; ask another administrator.</p>`
    : html`<form method="post" action="${path}/${user.disabled ? 'enable' : 'disable'}">
${csrfField(frame.csrf)}
<input type="hidden" name="back" value="user">
<p class="muted">${user.disabled ? 'They can sign in again once enabled.' : 'Disabling stops sign-in at once and ends their sessions and app access.'}</p>
<button type="submit" class="secondary">${user.disabled ? 'Enable' : 'Disable'} ${user.email}</button>
</form>
<p><a class="button" href="${path}/delete">Delete this user…</a></p>`
}`,
  });
}

export function deleteUserPage(frame: ConsoleFrame, user: User): SafeHtml {
  const path = userPath(user.id);
  return consoleLayout(frame, {
    title: `Delete ${user.email}`,
    section: 'users',
    body: html`<h1>Delete ${user.email}?</h1>
<p class="lead">They can no longer sign in, their sessions end and every token their apps hold stops working. This cannot be undone.</p>
<div class="actions">
<form method="post" action="${path}/delete">
${csrfField(frame.csrf)}
<button type="submit" class="danger">Delete user</button>
</form>
<a href="${path}">Cancel</a>
</div>`,
  });
}
