// Console pages: overview, users, signing keys and the audit log.
import type { User } from '../../src/domain/accounts/account-service.js';
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import type { KeyView } from '../../src/domain/keys/key-service.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, csrfField, date, describedBy, fieldError, type ConsoleFrame } from './layout.js';

export function overviewPage(frame: ConsoleFrame, counts: { clients: number; users: number; keys: number; activeAlgs: string[] }): SafeHtml {
  return consoleLayout(frame, {
    title: 'Overview',
    section: 'overview',
    body: html`<h1>Overview</h1>
      <ul class="stats">
        <li>
          <a href="/admin/clients"><strong>${counts.clients}</strong> clients</a>
        </li>
        <li>
          <a href="/admin/users"><strong>${counts.users}</strong> users</a>
        </li>
        <li>
          <a href="/admin/keys"><strong>${counts.keys}</strong> signing keys</a>
        </li>
      </ul>
      <p class="muted">Signing with: ${counts.activeAlgs.length ? counts.activeAlgs.join(', ') : 'no active key'}.</p>
      <div class="row-actions">
        <a class="button" href="/admin/clients/new">Register a client</a>
        <a class="button" href="/admin/users#create">Add a user</a>
        <a class="button" href="/admin/audit">Audit log</a>
      </div>`,
  });
}

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
  },
): SafeHtml {
  const { users, locked, q, nextCursor, selfId, values, errors } = view;
  const state = (u: User) => (u.disabled ? 'disabled' : locked.has(u.id) ? 'locked' : 'active');
  return consoleLayout(frame, {
    title: 'Users',
    section: 'users',
    body: html`<h1>Users</h1>
      <form method="get" action="/admin/users" class="toolbar" role="search">
        <div class="field"><label for="q">Search by email</label> <input id="q" name="q" type="search" value="${q}" /></div>
        <button type="submit" class="secondary inline">Search</button>
      </form>
      ${
        users.length === 0
          ? html`<p class="muted">${q ? 'No user matches.' : 'No users yet.'}</p>`
          : html`<div class="table-wrap">
              <table class="stack">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${users.map(
                    (u) =>
                      html`<tr>
                        <td data-label="Email">${u.email}</td>
                        <td data-label="Name">${u.name ?? ''}</td>
                        <td data-label="Role">${u.isAdmin ? 'admin' : 'user'}</td>
                        <td data-label="State"><span class="state ${state(u) === 'active' ? 'state-active' : 'state-disabled'}">${state(u)}</span></td>
                        <td data-label="Created">${date(u.createdAt.toISOString())}</td>
                        <td data-label="Actions">
                          ${
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
                                  <button type="submit" class="link" aria-label="${u.disabled ? 'Enable' : 'Disable'} ${u.email}">
                                    ${u.disabled ? 'Enable' : 'Disable'}
                                  </button>
                                </form>`
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${nextCursor && html`<p class="pager"><a href="/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor }).toString()}">Next page →</a></p>`}
      <h2 id="create">Add a user</h2>
      ${Object.keys(errors).length > 0 && html`<p class="alert" role="alert">The user was not created: see below.</p>`}
      <form method="post" action="/admin/users">
        ${csrfField(frame.csrf)}
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            required
            autocomplete="off"
            autocapitalize="none"
            spellcheck="false"
            value="${values.email}"
            ${describedBy(errors, 'email')}
          />
          ${fieldError(errors, 'email')}
        </div>
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" type="text" autocomplete="off" value="${values.name}" ${describedBy(errors, 'name')} />
          ${fieldError(errors, 'name')}
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" required autocomplete="new-password" ${describedBy(errors, 'password')} />
          ${fieldError(errors, 'password')}
        </div>
        <div class="check">
          <input id="email_verified" name="email_verified" type="checkbox" value="yes" ${values.email_verified ? html` checked` : ''} />
          <label for="email_verified">Email address verified</label>
        </div>
        <div class="check">
          <input id="is_admin" name="is_admin" type="checkbox" value="yes" ${values.is_admin ? html` checked` : ''} />
          <label for="is_admin">Administrator (may use this console)</label>
        </div>
        ${fieldError(errors, 'form')}
        <button type="submit" class="primary">Add user</button>
      </form>`,
  });
}

export function keysPage(frame: ConsoleFrame, keys: KeyView[], algs: readonly string[]): SafeHtml {
  return consoleLayout(frame, {
    title: 'Signing keys',
    section: 'keys',
    body: html`<h1>Signing keys</h1>
      <p class="muted">
        A <strong>next</strong> key is published before it signs; the <strong>active</strong> key signs; a <strong>retired</strong> key is published for
        verification until its tokens have expired.
      </p>
      <div class="table-wrap">
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Key ID</th>
              <th scope="col">Alg</th>
              <th scope="col">State</th>
              <th scope="col">Published</th>
              <th scope="col">Activated</th>
              <th scope="col">Retired</th>
              <th scope="col">Expires</th>
              <th scope="col"><span class="muted">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${keys.map(
              (k) =>
                html`<tr>
                  <td data-label="Key ID" class="code">${k.kid}</td>
                  <td data-label="Alg">${k.alg}</td>
                  <td data-label="State"><span class="state state-${k.state}">${k.state}</span></td>
                  <td data-label="Published">${date(k.published_at)}</td>
                  <td data-label="Activated">${date(k.activated_at)}</td>
                  <td data-label="Retired">${date(k.retired_at)}</td>
                  <td data-label="Expires">${date(k.expires_at)}</td>
                  <td data-label="Actions">
                    ${k.state === 'revoked' ? '' : html`<a href="/admin/keys/${encodeURIComponent(k.kid)}/revoke" aria-label="Revoke ${k.kid}">Revoke</a>`}
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <h2>Rotate</h2>
      <p class="muted">
        The next key becomes active, the active key retires, and a new next key is published. Without force, a rotation is refused while the next key has not
        been published long enough for every cache to hold it.
      </p>
      <form method="post" action="/admin/keys/rotate">
        ${csrfField(frame.csrf)}
        ${
          algs.length > 1 &&
          html`<div class="field">
            <label for="alg">Family</label>
            <select id="alg" name="alg">
              <option value="">All</option>
              ${algs.map((a) => html`<option value="${a}">${a}</option>`)}
            </select>
          </div>`
        }
        <div class="check">
          <input id="force" name="force" type="checkbox" value="yes" />
          <label for="force">Force (relying parties may briefly fail to verify new tokens)</label>
        </div>
        <button type="submit" class="primary">Rotate</button>
      </form>`,
  });
}

export function auditPage(frame: ConsoleFrame, events: AuditEvent[], action: string, nextCursor: string | null): SafeHtml {
  return consoleLayout(frame, {
    title: 'Audit log',
    section: 'audit',
    body: html`<h1>Audit log</h1>
      <form method="get" action="/admin/audit" class="toolbar" role="search">
        <div class="field">
          <label for="action">Action</label>
          <input id="action" name="action" type="text" spellcheck="false" autocapitalize="none" placeholder="e.g. client.created" value="${action}" />
        </div>
        <button type="submit" class="secondary inline">Filter</button>
      </form>
      ${
        events.length === 0
          ? html`<p class="muted">No events.</p>`
          : html`<div class="table-wrap">
              <table class="stack">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Target</th>
                    <th scope="col">From</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  ${events.map(
                    (e) =>
                      html`<tr>
                        <td data-label="When">${date(e.at)}</td>
                        <td data-label="Action" class="code"><a href="/admin/audit?${new URLSearchParams({ action: e.action }).toString()}">${e.action}</a></td>
                        <td data-label="Actor" class="code">${e.actor}</td>
                        <td data-label="Target" class="code">${e.target ?? ''}</td>
                        <td data-label="From" class="code">${e.source_address ?? ''}</td>
                        <td data-label="Details" class="code">${Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${nextCursor && html`<p class="pager"><a href="/admin/audit?${new URLSearchParams({ ...(action ? { action } : {}), cursor: nextCursor }).toString()}">Older →</a></p>`}`,
  });
}

/** "Revoke this key?": what a revocation does, and the choice to end what it signed as well. */
export function revokeKeyPage(frame: ConsoleFrame, key: KeyView): SafeHtml {
  const path = `/admin/keys/${encodeURIComponent(key.kid)}/revoke`;
  return consoleLayout(frame, {
    title: `Revoke ${key.kid}`,
    section: 'keys',
    body: html`<h1>Revoke key <span class="code">${key.kid}</span>?</h1>
      <p class="lead">
        For a compromised key. It leaves the published key set at once and its private key is destroyed: tokens it signed stop
        verifying.${
          key.state === 'active' ? ' Another key takes over signing; if none has been published long enough, the page that follows says what that risks.' : ''
        }
      </p>
      <form method="post" action="${path}">
        ${csrfField(frame.csrf)}
        <div class="check">
          <input id="revoke_grants" name="revoke_grants" type="checkbox" value="yes" />
          <label for="revoke_grants">Also end the sessions, grants and tokens from while it could sign</label>
        </div>
        <div class="actions">
          <button type="submit" class="danger">Revoke key</button>
          <a href="/admin/keys">Cancel</a>
        </div>
      </form>`,
  });
}
