// Console users page: the list with search and paging, enable/disable/unlock, and the add-a-user form.
import type { User } from '../../src/domain/accounts/account-service.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, csrfField, date, describedBy, fieldError, type ConsoleFrame } from './layout.js';
import { inviteSection } from './mailed-links.js';

export interface UserFormValues {
  email: string;
  name: string;
  is_admin: boolean;
  email_verified: boolean;
}

export const EMPTY_USER_FORM: UserFormValues = { email: '', name: '', is_admin: false, email_verified: false };

export function usersPage(
  frame: ConsoleFrame,
  view: {
    users: User[];
    /** Ids of the users on this page whose sign-in is locked after too many wrong passwords. */
    locked: ReadonlySet<string>;
    q: string;
    nextCursor: string | null;
    selfId: string;
    values: UserFormValues;
    errors: Record<string, string>;
    /** Mail is on: the invite form works (undefined: not shown). */
    inviting?: boolean;
  },
): SafeHtml {
  const { users, locked, q, nextCursor, selfId, values, errors, inviting } = view;
  const state = (u: User) => (u.disabled ? 'disabled' : locked.has(u.id) ? 'locked' : 'active');
  return consoleLayout(frame, {
    title: 'Users',
    section: 'users',
    body: html`<h1>Users</h1>
<form method="get" action="/admin/users" class="toolbar" role="search">
<div class="field"><label for="q">Search by email</label>
<input id="q" name="q" type="search" value="${q}"></div>
<button type="submit" class="secondary inline">Search</button>
</form>
${
  users.length === 0
    ? html`<p class="muted">${q ? 'No user matches.' : 'No users yet.'}</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Created</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>
${users.map(
  (u) => html`<tr>
<td data-label="Email"><a href="/admin/users/${encodeURIComponent(u.id)}">${u.email}</a></td>
<td data-label="Name">${u.name ?? ''}</td>
<td data-label="Role">${u.isAdmin ? 'admin' : 'user'}</td>
<td data-label="State"><span class="state ${state(u) === 'active' ? 'state-active' : 'state-disabled'}">${state(u)}</span></td>
<td data-label="Created">${date(u.createdAt.toISOString())}</td>
<td data-label="Actions">${
    locked.has(u.id) &&
    html`<form method="post" action="/admin/users/${encodeURIComponent(u.id)}/unlock">
${csrfField(frame.csrf)}
<button type="submit" class="link" aria-label="Unlock ${u.email}">Unlock</button>
</form>`
  }${
    u.id === selfId
      ? html`<span class="muted">you</span>`
      : html`<form method="post" action="/admin/users/${encodeURIComponent(u.id)}/${u.disabled ? 'enable' : 'disable'}">
${csrfField(frame.csrf)}
<button type="submit" class="link" aria-label="${u.disabled ? 'Enable' : 'Disable'} ${u.email}">${u.disabled ? 'Enable' : 'Disable'}</button>
</form>`
  }</td>
</tr>`,
)}
</tbody></table></div>`
}
${nextCursor && html`<p class="pager"><a href="/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor }).toString()}">Next page →</a></p>`}
<h2 id="create">Add a user</h2>
${Object.keys(errors).length > 0 && html`<p class="alert" role="alert">The user was not created: see below.</p>`}
<form method="post" action="/admin/users">
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
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" required autocomplete="new-password"${describedBy(errors, 'password')}>
${fieldError(errors, 'password')}
</div>
<div class="check">
<input id="email_verified" name="email_verified" type="checkbox" value="yes"${values.email_verified ? html` checked` : ''}>
<label for="email_verified">Email address verified</label>
</div>
<div class="check">
<input id="is_admin" name="is_admin" type="checkbox" value="yes"${values.is_admin ? html` checked` : ''}>
<label for="is_admin">Administrator (may use this console)</label>
</div>
${fieldError(errors, 'form')}
<button type="submit" class="primary">Add user</button>
</form>
${inviting !== undefined && inviteSection(frame, inviting)}`,
  });
}
