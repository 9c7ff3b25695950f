// The admin console at /admin: server-rendered pages that work without JavaScript, for people
// with the admin role. Sign-in is Sesame's own authorization code flow (session.ts); every POST
// carries the page's CSRF token (middleware/csrf.ts) and answers with a redirect (or, for a new
// secret, a page shown once). The pages call the same services as the admin API and the CLI and
// record the same audit actions, with the actor `user:<sub>` and the request's source address.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { Container } from '../../container.js';
import type { User } from '../../domain/accounts/account-service.js';
import type { ClientChanges, ClientView } from '../../domain/clients/client-service.js';
import type { ClientInput } from '../../domain/clients/client-metadata.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import {
  clientDetailPage,
  clientFormValues,
  clientListPage,
  clientSecretPage,
  deleteClientPage,
  EMPTY_CLIENT_FORM,
  newClientPage,
  type ClientFormValues,
} from '../../../views/console/clients.js';
import { consoleMessage, type ConsoleFrame } from '../../../views/console/layout.js';
import { auditPage } from '../../../views/console/audit.js';
import { keysPage, revokeKeyPage } from '../../../views/console/keys.js';
import { overviewPage } from '../../../views/console/overview.js';
import { EMPTY_USER_FORM, usersPage, type UserFormValues } from '../../../views/console/users.js';
import type { SafeHtml } from '../../../views/html.js';
import { sendPage } from '../send-page.js';
import { csrfToken, verifyCsrf } from '../middleware/csrf.js';
import { PAGE_CSP, setPageHeaders } from '../middleware/security-headers.js';
import { consoleClient } from './client.js';
import {
  clearCookie,
  ConsoleSignIn,
  mayAdminister,
  readSessionId,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  setFlash,
  SignInError,
  takeFlash,
  writeSessionId,
} from './session.js';

/** The sign-in pages' policy plus the console's one script, and forms posting only to Sesame. */
export const CONSOLE_CSP = `${PAGE_CSP}; script-src 'self'; form-action 'self'`;

export interface ConsoleDeps {
  container: Container;
  issuer: string;
}

interface ConsoleState {
  admin: User;
  /** The console session this request belongs to: its forms' CSRF tokens are bound to it. */
  consoleSession: string;
}

const admin = (ctx: Context): User => (ctx.state as ConsoleState).admin;
const csrfBinding = (ctx: Context): string | undefined => {
  const session = (ctx.state as Partial<ConsoleState>).consoleSession;
  return session ? `console:${session}` : undefined;
};

function send(ctx: Context, page: SafeHtml, status?: number): void {
  sendPage(ctx, page, status);
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
}

/** Redirect-after-POST: 303 so the browser GETs the next page. */
function seeOther(ctx: Context, location: string): void {
  ctx.redirect(location);
  ctx.status = 303;
}

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
};
const fields = (body: Record<string, unknown>, name: string): string[] => {
  const value = body[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
};
const checked = (body: Record<string, unknown>, name: string) => field(body, name) !== '';
const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const bodyOf = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, unknown>;

function readClientForm(body: Record<string, unknown>): ClientFormValues {
  return {
    name: field(body, 'name').trim(),
    redirect_uris: field(body, 'redirect_uris'),
    post_logout_redirect_uris: field(body, 'post_logout_redirect_uris'),
    backchannel_logout_uri: field(body, 'backchannel_logout_uri').trim(),
    public: checked(body, 'public'),
    grant_types: fields(body, 'grant_types'),
    scope: field(body, 'scope').trim().replace(/\s+/g, ' '),
    resources: field(body, 'resources'),
    resource_server: checked(body, 'resource_server'),
  };
}

function clientInput(values: ClientFormValues): ClientInput {
  const resources = lines(values.resources);
  return {
    name: values.name,
    redirectUris: lines(values.redirect_uris),
    postLogoutRedirectUris: lines(values.post_logout_redirect_uris),
    ...(values.backchannel_logout_uri ? { backchannelLogoutUri: values.backchannel_logout_uri } : {}),
    public: values.public,
    grantTypes: values.grant_types,
    scope: values.scope,
    ...(resources.length ? { resources } : {}),
    resourceServer: values.resource_server,
  };
}

function clientChanges(values: ClientFormValues): ClientChanges {
  const resources = lines(values.resources);
  return {
    name: values.name,
    redirectUris: lines(values.redirect_uris),
    postLogoutRedirectUris: lines(values.post_logout_redirect_uris),
    backchannelLogoutUri: values.backchannel_logout_uri || null,
    grantTypes: values.grant_types,
    scope: values.scope,
    resources: resources.length ? resources : null,
    resourceServer: values.resource_server,
  };
}

/** What the audit log keeps of a registration (as the admin API records it): nothing secret. */
function summary(client: ClientView): Record<string, unknown> {
  return {
    client_name: client.client_name,
    public: client.token_endpoint_auth_method === 'none',
    grant_types: client.grant_types,
    scope: client.scope ?? null,
    redirect_uris: client.redirect_uris,
    resource_server: client.resource_server === true,
  };
}

/** A domain refusal as a message next to its field (or above the form). */
function formErrors(error: unknown): Record<string, string> | undefined {
  if (error instanceof ValidationError) return { [error.field ?? 'form']: error.message };
  if (error instanceof ConflictError) return { form: error.message };
  return undefined;
}

export function createConsoleRouter({ container, issuer }: ConsoleDeps): Router {
  const { accounts, clients, keys, audit, log, consoleSessions } = container;

  // Registered at start-up (setUpConsoleClient), always under the same fixed client_id.
  const client = consoleClient(issuer);
  const signIn = new ConsoleSignIn(issuer, client);

  const record = (ctx: Context, action: string, target: string, details?: Record<string, unknown>) =>
    audit.record({ actor: `user:${admin(ctx).id}`, action, target, sourceAddress: ctx.ip, ...(details ? { details } : {}) });

  const frame = (ctx: Context): ConsoleFrame => ({ csrf: csrfToken(ctx, csrfBinding(ctx)!), admin: admin(ctx).email, flash: takeFlash(ctx) });

  const headers: Middleware = async (ctx, next) => {
    setPageHeaders(ctx);
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    await next();
  };
  const parseBody = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });
  const csrf = verifyCsrf(csrfBinding);

  /** The signed-in admin, re-read on every request; otherwise off to sign in (or a 403). */
  const requireAdmin: Middleware = async (ctx: Context, next: Next) => {
    const sessionId = readSessionId(ctx);
    const sub = sessionId ? await consoleSessions.userOf(sessionId) : undefined;
    if (!sessionId || !sub) {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') {
        if (ctx.path === '/admin' && ctx.query.state === 'signed-out') {
          send(ctx, consoleMessage('Signed out', 'You are signed out of the Sesame console.', { href: '/admin', label: 'Sign in again' }));
          return;
        }
        ctx.redirect(await signIn.start(ctx, ctx.originalUrl));
      } else {
        setFlash(ctx, 'Your console session ended: sign in again.', 'error');
        seeOther(ctx, '/admin');
      }
      return;
    }
    const user = await accounts.findById(sub);
    if (!mayAdminister(user)) {
      await consoleSessions.end(sessionId);
      clearCookie(ctx, SESSION_COOKIE);
      send(ctx, consoleMessage('Not an administrator', 'Your account is not an administrator, so it cannot use the console.'), 403);
      return;
    }
    Object.assign(ctx.state as ConsoleState, { admin: user, consoleSession: sessionId });
    await next();
  };

  const get = [headers, requireAdmin];
  // The session first: the form's token is bound to it.
  const post = [headers, parseBody, requireAdmin, csrf];
  const router = new Router();

  // --- signing in and out ---------------------------------------------------------------------
  router.get('/admin/callback', headers, async (ctx) => {
    let result;
    try {
      result = await signIn.finish(ctx);
    } catch (error) {
      const message = error instanceof SignInError ? error.message : 'Signing in to the console failed. Start again.';
      if (!(error instanceof SignInError)) log.warn('console sign-in failed', { err: error });
      send(ctx, consoleMessage('Sign-in failed', message, { href: '/admin', label: 'Start again' }), 400);
      return;
    }
    const user = await accounts.findById(result.sub);
    if (!mayAdminister(user)) {
      await audit.record({ actor: `user:${result.sub}`, action: 'console.denied', target: `user:${result.sub}`, sourceAddress: ctx.ip });
      send(ctx, consoleMessage('Not an administrator', 'Your account is not an administrator, so it cannot use the console.'), 403);
      return;
    }
    writeSessionId(ctx, await consoleSessions.start(user.id, SESSION_LIFETIME_MS));
    await audit.record({ actor: `user:${user.id}`, action: 'console.signed_in', target: `user:${user.id}`, sourceAddress: ctx.ip });
    ctx.redirect(result.returnTo);
  });

  router.post('/admin/logout', ...post, async (ctx) => {
    // Ended on the server: the cookie, wherever a copy of it is, signs nobody in any more.
    await consoleSessions.end((ctx.state as ConsoleState).consoleSession);
    clearCookie(ctx, SESSION_COOKIE);
    await record(ctx, 'console.signed_out', `user:${admin(ctx).id}`);
    // Also end the Sesame session (oidc-provider asks to confirm), then back to a signed-out page.
    const { clientId, postLogoutRedirectUri } = client;
    const end = new URL(`${issuer}/session/end`);
    end.search = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: postLogoutRedirectUri, state: 'signed-out' }).toString();
    seeOther(ctx, end.toString());
  });

  // --- overview -------------------------------------------------------------------------------
  router.get('/admin', ...get, async (ctx) => {
    const [allClients, allKeys, users] = await Promise.all([clients.list(), keys.list(), accounts.list()]);
    send(
      ctx,
      overviewPage(frame(ctx), {
        clients: allClients.length,
        users: users.length,
        keys: allKeys.filter((k) => k.state !== 'revoked').length,
        activeAlgs: allKeys.filter((k) => k.state === 'active').map((k) => k.alg),
      }),
    );
  });

  // --- clients --------------------------------------------------------------------------------
  router.get('/admin/clients', ...get, async (ctx) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
    const needle = q.toLowerCase();
    const list = (await clients.list()).filter((c) => !needle || c.client_name.toLowerCase().includes(needle) || c.client_id.toLowerCase().includes(needle));
    send(ctx, clientListPage(frame(ctx), list, q));
  });

  router.get('/admin/clients/new', ...get, (ctx) => send(ctx, newClientPage(frame(ctx), EMPTY_CLIENT_FORM, {})));

  router.post('/admin/clients', ...post, async (ctx) => {
    const values = readClientForm(bodyOf(ctx));
    let client;
    try {
      client = await clients.create(clientInput(values));
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      send(ctx, newClientPage(frame(ctx), values, errors), 422);
      return;
    }
    await record(ctx, 'client.created', `client:${client.client_id}`, summary(client));
    // The secret is in this response only: not a redirect, so it never sits in a cookie or URL.
    send(ctx, clientSecretPage(frame(ctx), client, false), 201);
  });

  const loadClient = async (ctx: Context): Promise<ClientView | undefined> => {
    try {
      return await clients.get(String(ctx.params.id));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      send(
        ctx,
        consoleMessage('Client not found', 'There is no client with this ID (it may have been deleted).', { href: '/admin/clients', label: 'Clients' }),
        404,
      );
      return undefined;
    }
  };

  router.get('/admin/clients/:id', ...get, async (ctx) => {
    const client = await loadClient(ctx);
    if (client) send(ctx, clientDetailPage(frame(ctx), client, clientFormValues(client), {}));
  });

  router.post('/admin/clients/:id', ...post, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    const values = { ...readClientForm(bodyOf(ctx)), public: client.token_endpoint_auth_method === 'none' };
    let updated;
    try {
      updated = await clients.update(client.client_id, clientChanges(values));
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      send(ctx, clientDetailPage(frame(ctx), client, values, errors), 422);
      return;
    }
    const changed = Object.keys(clientChanges(values)).sort();
    await record(ctx, 'client.updated', `client:${updated.client_id}`, { changed, ...summary(updated) });
    setFlash(ctx, `Saved ${updated.client_name}.`);
    seeOther(ctx, `/admin/clients/${encodeURIComponent(updated.client_id)}`);
  });

  router.post('/admin/clients/:id/rotate-secret', ...post, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    let rotated;
    try {
      rotated = await clients.rotateSecret(client.client_id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      setFlash(ctx, error.message, 'error');
      seeOther(ctx, `/admin/clients/${encodeURIComponent(client.client_id)}`);
      return;
    }
    await record(ctx, 'client.secret_rotated', `client:${rotated.client_id}`, { client_name: rotated.client_name });
    send(ctx, clientSecretPage(frame(ctx), rotated, true));
  });

  router.get('/admin/clients/:id/delete', ...get, async (ctx) => {
    const client = await loadClient(ctx);
    if (client) send(ctx, deleteClientPage(frame(ctx), client));
  });

  router.post('/admin/clients/:id/delete', ...post, async (ctx) => {
    const client = await loadClient(ctx);
    if (!client) return;
    try {
      await clients.delete(client.client_id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      setFlash(ctx, error.message, 'error');
      seeOther(ctx, `/admin/clients/${encodeURIComponent(client.client_id)}`);
      return;
    }
    await record(ctx, 'client.deleted', `client:${client.client_id}`, { client_name: client.client_name });
    setFlash(ctx, `Deleted ${client.client_name}.`);
    seeOther(ctx, '/admin/clients');
  });

  // --- users ----------------------------------------------------------------------------------
  const renderUsers = async (ctx: Context, values: UserFormValues, errors: Record<string, string>, status?: number) => {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim() : '';
    const cursor = typeof ctx.query.cursor === 'string' && ctx.query.cursor ? ctx.query.cursor : undefined;
    const { users, next_cursor } = await accounts.page({ ...(q ? { search: q } : {}), ...(cursor ? { cursor } : {}), limit: 50 });
    const waits = await Promise.all(users.map((u) => container.signInThrottle.accountLockedFor(u.email)));
    const locked = new Set(users.filter((_, i) => waits[i]! > 0).map((u) => u.id));
    send(ctx, usersPage(frame(ctx), { users, locked, q, nextCursor: next_cursor, selfId: admin(ctx).id, values, errors }), status);
  };

  router.get('/admin/users', ...get, (ctx) => renderUsers(ctx, EMPTY_USER_FORM, {}));

  router.post('/admin/users', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const values: UserFormValues = {
      email: field(body, 'email').trim(),
      name: field(body, 'name').trim(),
      is_admin: checked(body, 'is_admin'),
      email_verified: checked(body, 'email_verified'),
    };
    let user;
    try {
      user = await accounts.create({
        email: values.email,
        password: field(body, 'password'),
        ...(values.name ? { name: values.name } : {}),
        emailVerified: values.email_verified,
        isAdmin: values.is_admin,
      });
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      if (error instanceof ConflictError) errors.email = error.message;
      await renderUsers(ctx, values, errors, 422);
      return;
    }
    await record(ctx, 'user.created', `user:${user.id}`, { email: user.email, is_admin: user.isAdmin });
    setFlash(ctx, `Added ${user.email}.`);
    seeOther(ctx, '/admin/users');
  });

  for (const action of ['disable', 'enable'] as const) {
    router.post(`/admin/users/:id/${action}`, ...post, async (ctx) => {
      const id = String(ctx.params.id);
      if (action === 'disable' && id === admin(ctx).id) {
        setFlash(ctx, 'You cannot disable yourself; ask another administrator.', 'error');
        seeOther(ctx, '/admin/users');
        return;
      }
      let user;
      let revoked;
      try {
        ({ user, revoked } = await accounts.setDisabled(id, action === 'disable'));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        setFlash(ctx, 'There is no such user (they may have been deleted).', 'error');
        seeOther(ctx, '/admin/users');
        return;
      }
      if (action === 'disable') {
        // Disabling ended their sessions and grants, so their tokens stop at once.
        await record(ctx, 'user.disabled', `user:${user.id}`, { email: user.email, ...revoked });
        setFlash(ctx, `Disabled ${user.email}; their sessions have ended.`);
      } else {
        await record(ctx, 'user.enabled', `user:${user.id}`, { email: user.email });
        setFlash(ctx, `Enabled ${user.email}.`);
      }
      seeOther(ctx, '/admin/users');
    });
  }

  router.post('/admin/users/:id/unlock', ...post, async (ctx) => {
    let user;
    try {
      user = await accounts.get(String(ctx.params.id));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      setFlash(ctx, 'There is no such user (they may have been deleted).', 'error');
      seeOther(ctx, '/admin/users');
      return;
    }
    const lockedFor = await container.signInThrottle.accountLockedFor(user.email);
    await container.signInThrottle.unlock(user.email);
    await record(ctx, 'user.unlocked', `user:${user.id}`, { email: user.email, was_locked: lockedFor > 0 });
    setFlash(ctx, `Unlocked ${user.email}: they can sign in again.`);
    seeOther(ctx, '/admin/users');
  });

  // --- keys -----------------------------------------------------------------------------------
  router.get('/admin/keys', ...get, async (ctx) => send(ctx, keysPage(frame(ctx), await keys.list(), container.config.signingAlgs)));

  router.post('/admin/keys/rotate', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const alg = field(body, 'alg') || undefined;
    const force = checked(body, 'force');
    try {
      const changes = await keys.rotate({ ...(alg ? { alg } : {}), force, actor: `user:${admin(ctx).id}` });
      await record(ctx, 'key.rotated', alg ? `keys:${alg}` : 'keys', { force, kids: changes.map((c) => `${c.kind}:${c.kid}`) });
      setFlash(ctx, changes.length ? `Rotated: ${changes.map((c) => `${c.kid} ${c.kind}d`).join(', ')}.` : 'Nothing to rotate.');
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof ValidationError)) throw error;
      setFlash(ctx, `Rotation refused: ${error.message}`, 'error');
    }
    seeOther(ctx, '/admin/keys');
  });

  router.get('/admin/keys/:kid/revoke', ...get, async (ctx) => {
    const key = (await keys.list()).find((k) => k.kid === ctx.params.kid && k.state !== 'revoked');
    if (!key) {
      send(ctx, consoleMessage('Key not found', 'There is no such key, or it is already revoked.', { href: '/admin/keys', label: 'Signing keys' }), 404);
      return;
    }
    send(ctx, revokeKeyPage(frame(ctx), key));
  });

  router.post('/admin/keys/:kid/revoke', ...post, async (ctx) => {
    const kid = String(ctx.params.kid);
    const revokeGrants = checked(bodyOf(ctx), 'revoke_grants');
    try {
      const result = await keys.revoke(kid, { revokeGrants, actor: `user:${admin(ctx).id}` });
      const done = `Revoked ${kid}${result.revokedGrants !== undefined ? `; ended ${result.revokedGrants} sessions, grants and tokens` : ''}.`;
      // A warning (a next key promoted before every RP may hold it) is what the operator must see.
      setFlash(ctx, result.warnings.length > 0 ? `${done} Warning: ${result.warnings.join(' ')}` : done, result.warnings.length > 0 ? 'error' : 'ok');
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof ConflictError)) throw error;
      setFlash(ctx, `Not revoked: ${error.message}`, 'error');
    }
    seeOther(ctx, '/admin/keys');
  });

  // --- audit log ------------------------------------------------------------------------------
  router.get('/admin/audit', ...get, async (ctx) => {
    const action = typeof ctx.query.action === 'string' ? ctx.query.action.trim() : '';
    const cursor = typeof ctx.query.cursor === 'string' && ctx.query.cursor ? ctx.query.cursor : undefined;
    const { events, next_cursor } = await audit.list({ ...(action ? { action } : {}), ...(cursor ? { cursor } : {}), limit: 50 });
    send(ctx, auditPage(frame(ctx), events, action, next_cursor));
  });

  return router;
}
