// The admin API over real HTTP, on every database this run covers: who may call it (machine and
// person tokens Sesame issued, 401 and 403 otherwise), every route's success and failures (404,
// 409, 422 naming fields, paging), problem details, the OpenAPI document, a client registered
// through the API signing a person in with openid-client, revocation on disable, and an audit
// log that records every change and holds no secret.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/http/admin/api.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const BASE = '/admin/api/v1';
const PASSWORD = 'correct horse battery staple';

interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body (loosely typed: the assertions check its shape). */
  json: any;
}

interface FieldError {
  field: string;
  message: string;
}

function oauthError(error: unknown): string | undefined {
  const e = error as { error?: string; cause?: unknown };
  if (e.error) return e.error;
  if (Array.isArray(e.cause)) return (e.cause[0] as { parameters?: { error?: string } })?.parameters?.error;
  return undefined;
}

/** A route's path with placeholder values for its parameters. */
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, 'unknown-id');

describe.each(PROVIDERS)('admin API on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;
  let adminClientId: string;
  /** Secrets and passwords handed out during the run: none may reach the audit log. */
  const secrets: string[] = [];

  async function api(
    method: string,
    path: string,
    options: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const token = options.token === undefined ? adminToken : options.token;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(new URL(BASE + path, sesame.issuer), { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  }

  function expectProblem(response: ApiResponse, status: number) {
    expect(response.status, JSON.stringify(response.json)).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  }

  function expectFields(response: ApiResponse, ...fields: string[]) {
    expectProblem(response, 422);
    const named = (response.json.errors as FieldError[]).map((e) => e.field);
    for (const field of fields) expect(named).toContain(field);
    for (const error of response.json.errors as FieldError[]) expect(error.message).toEqual(expect.any(String));
  }

  async function machineToken(options: { scope?: string; request?: string } = {}) {
    const client = await sesame.container.clients.create({
      client_name: 'Machine',
      grant_types: ['client_credentials'],
      ...(options.scope !== undefined ? { scope: options.scope } : {}),
    });
    secrets.push(client.client_secret!);
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const tokens = await oidc.clientCredentialsGrant(config, options.request ? { scope: options.request } : {});
    secrets.push(tokens.access_token);
    return { clientId: client.client_id, token: tokens.access_token };
  }

  async function createUser(email: string, extra: Record<string, unknown> = {}) {
    const response = await api('POST', '/users', { body: { email, password: PASSWORD, email_verified: true, ...extra } });
    expect(response.status, JSON.stringify(response.json)).toBe(201);
    return response.json as { id: string; email: string };
  }

  /** A person signs in through a client with openid-client and the sign-in pages. */
  async function personTokens(clientId: string, clientSecret: string, email: string, scope: string) {
    const config = await discover(sesame.issuer, clientId, clientSecret);
    const browser = new TestBrowser(sesame.issuer);
    // offline_access (a refresh token) is only granted with prompt=consent.
    const start = await startAuthorization(config, { scope, ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}) });
    const tokens = await exchange(config, await signIn(browser, start, { email, password: PASSWORD }), start);
    secrets.push(tokens.access_token, ...(tokens.refresh_token ? [tokens.refresh_token] : []));
    return { config, tokens };
  }

  beforeAll(async () => {
    // Every route is tried with an unknown token below, each a failed attempt from this address: the
    // per-address limit (tested in throttling.test.ts) would otherwise end the run once there are enough routes.
    sesame = await startTestSesame({ provider, env: { TOKEN_MAX_FAILURES_PER_ADDRESS: '1000' } });
    secrets.push(PASSWORD);
    ({ token: adminToken, clientId: adminClientId } = await machineToken({ scope: 'admin', request: 'admin' }));
  });
  afterAll(async () => sesame?.close());

  describe('who may call it', () => {
    it('answers 401 with a Bearer challenge on every route without a token, or with an unknown one', async () => {
      for (const route of adminRoutes) {
        const path = samplePath(route.path);
        const none = await api(route.method.toUpperCase(), path, { token: null });
        expectProblem(none, 401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);

        const unknown = await api(route.method.toUpperCase(), path, { token: 'not-a-token-sesame-issued' });
        expectProblem(unknown, 401);
        expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
      }
      expectProblem(await api('GET', '/clients', { headers: { authorization: 'Basic abc' }, token: null }), 401);
    });

    it('answers 403 on every route to a token without the admin scope', async () => {
      const { token } = await machineToken({ scope: '' });
      for (const route of adminRoutes) {
        const response = await api(route.method.toUpperCase(), samplePath(route.path), { token });
        expectProblem(response, 403);
        expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      }
    });

    it('answers 403 to a token with admin whose client is no longer registered with it', async () => {
      // A client registered without admin cannot get it at all (test/integration/admin-scope.test.ts);
      // one that had it and lost it keeps tokens that say admin, and the registration decides.
      const machine = await machineToken({ scope: 'admin', request: 'admin' });
      expect((await api('GET', '/clients', { token: machine.token })).status).toBe(200);
      await sesame.container.clients.update(machine.clientId, { scope: '' });
      expectProblem(await api('GET', '/clients', { token: machine.token }), 403);
    });

    it('stops accepting a token once its client is deleted', async () => {
      const machine = await machineToken({ scope: 'admin', request: 'admin' });
      expect((await api('GET', '/keys', { token: machine.token })).status).toBe(200);
      expect((await api('DELETE', `/clients/${machine.clientId}`)).status).toBe(204);
      expectProblem(await api('GET', '/keys', { token: machine.token }), 401);
    });

    it("accepts an administrator's token from the authorization code flow and refuses anyone else's", async () => {
      const console_ = await api('POST', '/clients', {
        body: { client_name: 'Admin console', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], scope: 'openid admin' },
      });
      expect(console_.status).toBe(201);
      secrets.push(console_.json.client_secret);
      const admin = await createUser('root@example.com', { is_admin: true });
      await createUser('plain@example.com');

      const { tokens } = await personTokens(console_.json.client_id, console_.json.client_secret, 'root@example.com', 'openid admin');
      expect(tokens.scope?.split(' ')).toContain('admin');
      const asAdmin = await api('GET', '/users?search=root@', { token: tokens.access_token });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.json.items.map((u: { id: string }) => u.id)).toEqual([admin.id]);
      // Changes made with a person's token are theirs in the audit log.
      const changed = await api('PATCH', '/users/' + admin.id, { token: tokens.access_token, body: { name: 'Root' } });
      expect(changed.status).toBe(200);
      const { events } = await sesame.container.audit.list({ action: 'user.updated' });
      expect(events.find((e) => e.target === `user:${admin.id}`)?.actor).toBe(`user:${admin.id}`);
      // An admin cannot lock themselves out.
      expectProblem(await api('POST', `/users/${admin.id}/disable`, { token: tokens.access_token }), 409);

      const plain = await personTokens(console_.json.client_id, console_.json.client_secret, 'plain@example.com', 'openid admin');
      expect(plain.tokens.scope?.split(' ')).toContain('admin');
      expectProblem(await api('GET', '/clients', { token: plain.tokens.access_token }), 403);

      // Demoted: the same token stops working.
      expect((await api('PATCH', `/users/${admin.id}`, { body: { is_admin: false } })).json.is_admin).toBe(false);
      expectProblem(await api('GET', '/clients', { token: tokens.access_token }), 403);
    });
  });

  describe('requests and responses', () => {
    it('speaks JSON only, within 16 kB, with problem details and no-store everywhere', async () => {
      const ok = await api('GET', '/keys');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('cache-control')).toBe('no-store');
      expect(ok.headers.get('content-type')).toMatch(/^application\/json/);

      expectProblem(await api('POST', '/clients', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
      expectProblem(await api('POST', '/clients', { raw: '{"name":', headers: { 'content-type': 'application/json' } }), 400);
      expectProblem(await api('POST', '/clients', { body: { client_name: 'x'.repeat(20_000) } }), 413);
      expectFields(await api('POST', '/clients', { body: ['not', 'an', 'object'] }), '(body)');
      expectFields(await api('GET', '/keys?verbose=1'), 'verbose');

      expectProblem(await api('GET', '/nothing-here'), 404);
      const wrongMethod = await api('PUT', '/clients');
      expectProblem(wrongMethod, 405);
      expect(wrongMethod.headers.get('allow')).toContain('POST');
    });

    it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
      const response = await api('GET', '/openapi.json', { token: null });
      expect(response.status).toBe(200);
      const doc = response.json;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info.title).toEqual(expect.any(String));
      for (const route of adminRoutes) {
        const operation = doc.paths[route.path]?.[route.method];
        expect(operation, `${route.method} ${route.path}`).toBeDefined();
        expect(operation.responses[String(route.success.status)]).toBeDefined();
        expect(operation.responses['401']).toBeDefined();
        expect(operation.responses['403']).toBeDefined();
        for (const status of route.problems) expect(operation.responses[String(status)]).toBeDefined();
        for (const name of route.path.match(/\{([^}]+)\}/g) ?? []) {
          expect(operation.parameters.some((p: { name: string; in: string }) => `{${p.name}}` === name && p.in === 'path')).toBe(true);
        }
        if (route.body) expect(operation.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
      }
      for (const name of ['Client', 'ClientInput', 'ClientWithSecret', 'ClientPage', 'User', 'UserInput', 'Key', 'Session', 'Grant', 'Problem']) {
        expect(doc.components.schemas[name], name).toMatchObject({ type: 'object' });
      }
      expect(doc.components.schemas.ClientInput.required).toEqual(['client_name']);
      expect(doc.components.schemas.Client.properties.client_secret).toBeUndefined();
      expect(doc.components.schemas.ClientWithSecret.properties.client_secret).toBeDefined();
      expect(doc.components.securitySchemes.sesame.openIdConnectUrl).toBe(`${sesame.issuer}/.well-known/openid-configuration`);
      // Every reference resolves.
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
      expect(refs.length).toBeGreaterThan(20);
      for (const ref of refs) {
        const [, kind, name] = /#\/components\/(schemas|responses)\/([^"]+)"/.exec(ref)!;
        expect(doc.components[kind!][name!], ref).toBeDefined();
      }
    });
  });

  describe('clients', () => {
    it('registers a client, shows its secret once, and 422s naming the bad fields', async () => {
      const created = await api('POST', '/clients', {
        body: { client_name: 'Notes', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: ['http://localhost:8080/'] },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        client_name: 'Notes',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        has_secret: true,
        client_secret: expect.any(String),
      });
      secrets.push(created.json.client_secret);
      expect(created.headers.get('location')).toBe(`${BASE}/clients/${created.json.client_id}`);

      const shown = await api('GET', `/clients/${created.json.client_id}`);
      expect(shown.status).toBe(200);
      expect(shown.json.client_id).toBe(created.json.client_id);
      expect(shown.json).not.toHaveProperty('client_secret');

      expectFields(await api('POST', '/clients', { body: { client_name: 'Bad', redirect_uris: ['https://example.com/cb#frag'] } }), 'redirect_uris');
      expectFields(await api('POST', '/clients', { body: { client_name: 'Bad', redirect_uris: ['http://example.com/cb'] } }), 'redirect_uris');
      expectFields(await api('POST', '/clients', { body: {} }), 'client_name');
      expectFields(
        await api('POST', '/clients', { body: { client_name: 42, redirect_uri: 'x', grant_types: ['implicit'] } }),
        'client_name',
        'redirect_uri',
        'grant_types.0',
      );
      expectFields(
        await api('POST', '/clients', { body: { client_name: 'M', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' } }),
        'grant_types',
      );
      expectFields(
        await api('POST', '/clients', { body: { client_name: 'A', redirect_uris: [REDIRECT_URI], id_token_signed_response_alg: 'HS256' } }),
        'id_token_signed_response_alg',
      );
      expectProblem(await api('GET', '/clients/no-such-client'), 404);
    });

    it('pages through the clients with limit and cursor, without secrets', async () => {
      for (let i = 0; i < 4; i++) {
        const r = await api('POST', '/clients', { body: { client_name: `Paged ${i}`, redirect_uris: [REDIRECT_URI] } });
        secrets.push(r.json.client_secret);
      }
      const everyone = (await sesame.container.clients.list()).map((c) => c.client_id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response: ApiResponse = await api('GET', `/clients?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(response.status).toBe(200);
        expect(response.json.items.length).toBeLessThanOrEqual(2);
        for (const item of response.json.items) expect(item).not.toHaveProperty('client_secret');
        seen.push(...response.json.items.map((c: { client_id: string }) => c.client_id));
        cursor = response.json.next_cursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(everyone);
      expect(pages).toBe(Math.ceil(everyone.length / 2));

      expectFields(await api('GET', '/clients?limit=0'), 'limit');
      expectFields(await api('GET', '/clients?limit=abc'), 'limit');
      expectFields(await api('GET', '/clients?limit=500'), 'limit');
      expectFields(await api('GET', '/clients?cursor=unknown'), 'cursor');
    });

    it('changes a client by the registration rules and refuses switching it to public', async () => {
      const created = await api('POST', '/clients', { body: { client_name: 'Before', redirect_uris: [REDIRECT_URI] } });
      secrets.push(created.json.client_secret);
      const id = created.json.client_id;

      const changed = await api('PATCH', `/clients/${id}`, {
        body: { client_name: 'After', redirect_uris: [REDIRECT_URI, 'https://app.example.com/cb'], backchannel_logout_uri: 'https://app.example.com/bcl' },
      });
      expect(changed.status).toBe(200);
      expect(changed.json).toMatchObject({
        client_name: 'After',
        redirect_uris: [REDIRECT_URI, 'https://app.example.com/cb'],
        backchannel_logout_uri: 'https://app.example.com/bcl',
        has_secret: true,
      });
      expect(changed.json).not.toHaveProperty('client_secret');
      const cleared = await api('PATCH', `/clients/${id}`, { body: { backchannel_logout_uri: null } });
      expect(cleared.json).not.toHaveProperty('backchannel_logout_uri');
      expect(cleared.json.client_name).toBe('After');

      expectFields(await api('PATCH', `/clients/${id}`, { body: { redirect_uris: [] } }), 'redirect_uris');
      expectFields(await api('PATCH', `/clients/${id}`, { body: { colour: 'blue' } }), 'colour');
      expectProblem(await api('PATCH', `/clients/${id}`, { body: { token_endpoint_auth_method: 'none' } }), 409);
      expectProblem(await api('PATCH', '/clients/no-such-client', { body: { client_name: 'x' } }), 404);
    });

    it('rotates a secret (the old one stops working) and deletes clients', async () => {
      const machine = await api('POST', '/clients', { body: { client_name: 'Rotating', grant_types: ['client_credentials'] } });
      secrets.push(machine.json.client_secret);
      const id = machine.json.client_id;
      const rotated = await api('POST', `/clients/${id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.json.client_secret).toEqual(expect.any(String));
      expect(rotated.json.client_secret).not.toBe(machine.json.client_secret);
      secrets.push(rotated.json.client_secret);
      await expect(oidc.clientCredentialsGrant(await discover(sesame.issuer, id, machine.json.client_secret))).rejects.toSatisfy(
        (e) => oauthError(e) === 'invalid_client',
      );
      await oidc.clientCredentialsGrant(await discover(sesame.issuer, id, rotated.json.client_secret));

      const spa = await api('POST', '/clients', { body: { client_name: 'SPA', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URI] } });
      expect(spa.json).not.toHaveProperty('client_secret');
      expect(spa.json.has_secret).toBe(false);
      expectProblem(await api('POST', `/clients/${spa.json.client_id}/rotate-secret`), 409);
      expectProblem(await api('POST', '/clients/no-such-client/rotate-secret'), 404);

      expect((await api('DELETE', `/clients/${id}`)).status).toBe(204);
      expectProblem(await api('GET', `/clients/${id}`), 404);
      expectProblem(await api('DELETE', `/clients/${id}`), 404);
    });

    it('registers a client through the API that then signs a person in with openid-client', async () => {
      const user = await createUser('ada@example.com', { name: 'Ada Lovelace' });
      const registered = await api('POST', '/clients', {
        body: { client_name: 'Registered by script', redirect_uris: [REDIRECT_URI], scope: 'openid profile email' },
      });
      expect(registered.status).toBe(201);
      secrets.push(registered.json.client_secret);

      const { config, tokens } = await personTokens(registered.json.client_id, registered.json.client_secret, 'ada@example.com', 'openid profile email');
      const claims = tokens.claims()!;
      expect(claims.sub).toBe(user.id);
      expect(claims.aud).toBe(registered.json.client_id);
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
      expect(userinfo).toMatchObject({ sub: user.id, email: 'ada@example.com', name: 'Ada Lovelace' });
      // Its token is not an admin token.
      expectProblem(await api('GET', '/clients', { token: tokens.access_token }), 403);
    });
  });

  describe('users', () => {
    it('creates users, refusing duplicates (409) and bad fields (422)', async () => {
      const created = await api('POST', '/users', { body: { email: 'Grace@Example.com', password: PASSWORD, name: 'Grace Hopper' } });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ email: 'grace@example.com', name: 'Grace Hopper', email_verified: false, disabled: false, is_admin: false });
      expect(created.json).not.toHaveProperty('password');
      expect(created.headers.get('location')).toBe(`${BASE}/users/${created.json.id}`);

      expectProblem(await api('POST', '/users', { body: { email: 'grace@example.com', password: PASSWORD } }), 409);
      expectFields(await api('POST', '/users', { body: { email: 'not-an-email', password: PASSWORD } }), 'email');
      expectFields(await api('POST', '/users', { body: { email: 'short@example.com', password: 'short' } }), 'password');
      expectFields(await api('POST', '/users', { body: { email: 'x@example.com' } }), 'password');
      expectFields(await api('POST', '/users', { body: { email: 'x@example.com', password: PASSWORD, admin: true } }), 'admin');
    });

    it('gets, searches and pages users', async () => {
      for (const name of ['alpha', 'beta', 'gamma']) await createUser(`${name}@search.example`);
      const all = await api('GET', '/users?search=search.example');
      expect(all.json.items.map((u: { email: string }) => u.email)).toEqual(['alpha@search.example', 'beta@search.example', 'gamma@search.example']);
      expect(all.json.next_cursor).toBeNull();

      const first = await api('GET', '/users?search=search.example&limit=2');
      expect(first.json.items).toHaveLength(2);
      expect(first.json.next_cursor).toEqual(expect.any(String));
      const second = await api('GET', `/users?search=search.example&limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`);
      expect(second.json.items.map((u: { email: string }) => u.email)).toEqual(['gamma@search.example']);
      expect(second.json.next_cursor).toBeNull();

      const one = await api('GET', `/users/${first.json.items[0].id}`);
      expect(one.status).toBe(200);
      expect(one.json.email).toBe('alpha@search.example');
      expectProblem(await api('GET', '/users/no-such-user'), 404);
      expectFields(await api('GET', '/users?limit=-1'), 'limit');
    });

    it('updates users and sets passwords', async () => {
      const user = await createUser('lin@example.com');
      const updated = await api('PATCH', `/users/${user.id}`, { body: { name: 'Lin', email_verified: true, is_admin: true } });
      expect(updated.status).toBe(200);
      expect(updated.json).toMatchObject({ name: 'Lin', email_verified: true, is_admin: true });
      expect((await api('PATCH', `/users/${user.id}`, { body: { name: null } })).json.name).toBeNull();
      expectFields(await api('PATCH', `/users/${user.id}`, { body: { email_verified: 'yes' } }), 'email_verified');
      expectFields(await api('PATCH', `/users/${user.id}`, { body: { name: 'x'.repeat(201) } }), 'name');
      expectProblem(await api('PATCH', '/users/no-such-user', { body: { name: 'x' } }), 404);
      // The email too: lower-cased, checked like a new user's, and never one another user has.
      await createUser('taken@example.com');
      expect((await api('PATCH', `/users/${user.id}`, { body: { email: 'Lin.New@Example.com' } })).json.email).toBe('lin.new@example.com');
      expectProblem(await api('PATCH', `/users/${user.id}`, { body: { email: 'TAKEN@example.com' } }), 409);
      expectFields(await api('PATCH', `/users/${user.id}`, { body: { email: 'not an email' } }), 'email');
      expect((await api('PATCH', `/users/${user.id}`, { body: { email: 'lin@example.com' } })).json.email).toBe('lin@example.com');

      const newPassword = 'a brand new passphrase';
      secrets.push(newPassword);
      const set = await api('PUT', `/users/${user.id}/password`, { body: { password: newPassword } });
      expect(set.status).toBe(204);
      expect(await sesame.container.accounts.authenticate('lin@example.com', newPassword)).toMatchObject({ accountId: user.id });
      expect(await sesame.container.accounts.authenticate('lin@example.com', PASSWORD)).toBeUndefined();
      expectFields(await api('PUT', `/users/${user.id}/password`, { body: { password: 'short' } }), 'password');
      expectFields(await api('PUT', `/users/${user.id}/password`, { body: {} }), 'password');
      expectProblem(await api('PUT', '/users/no-such-user/password', { body: { password: newPassword } }), 404);
    });

    it('disabling a user ends their sessions and refresh tokens; enabling lets them sign in again', async () => {
      const client = await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] });
      secrets.push(client.client_secret!);
      const user = await createUser('mary@example.com');
      const { config, tokens } = await personTokens(client.client_id, client.client_secret!, 'mary@example.com', 'openid offline_access');
      expect(tokens.refresh_token).toBeTruthy();

      const disabled = await api('POST', `/users/${user.id}/disable`);
      expect(disabled.status).toBe(200);
      expect(disabled.json.disabled).toBe(true);
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
      expect(await sesame.container.accounts.authenticate('mary@example.com', PASSWORD)).toBeUndefined();
      const sessions = await api('GET', `/users/${user.id}/sessions`);
      expect(sessions.json).toEqual({ sessions: [], grants: [] });

      const enabled = await api('POST', `/users/${user.id}/enable`);
      expect(enabled.json.disabled).toBe(false);
      expect(await sesame.container.accounts.authenticate('mary@example.com', PASSWORD)).toMatchObject({ accountId: user.id });
      expectProblem(await api('POST', '/users/no-such-user/disable'), 404);
      expectProblem(await api('POST', '/users/no-such-user/enable'), 404);
    });

    it('deletes users', async () => {
      const user = await createUser('temp@example.com');
      expect((await api('DELETE', `/users/${user.id}`)).status).toBe(204);
      expectProblem(await api('GET', `/users/${user.id}`), 404);
      expectProblem(await api('DELETE', `/users/${user.id}`), 404);
    });
  });

  describe('sessions', () => {
    it("lists a user's sessions and grants and revokes one session or all of them", async () => {
      const client = await sesame.container.clients.create({ client_name: 'Sessions app', redirect_uris: [REDIRECT_URI] });
      secrets.push(client.client_secret!);
      const user = await createUser('sam@example.com');

      const first = await personTokens(client.client_id, client.client_secret!, 'sam@example.com', 'openid offline_access');
      const second = await personTokens(client.client_id, client.client_secret!, 'sam@example.com', 'openid offline_access');
      const listed = await api('GET', `/users/${user.id}/sessions`);
      expect(listed.status).toBe(200);
      expect(listed.json.sessions).toHaveLength(2);
      expect(listed.json.grants).toHaveLength(2);
      for (const session of listed.json.sessions) expect(session.client_ids).toEqual([client.client_id]);
      for (const grant of listed.json.grants) expect(grant).toMatchObject({ client_id: client.client_id, scope: expect.stringContaining('openid') });
      // Session ids are cookie values: never listed.
      const sessionRows = await sesame.container.payloads.findByAccountId(['Session'], user.id);
      expect(sessionRows).toHaveLength(listed.json.sessions.length);
      for (const row of sessionRows) expect(JSON.stringify(listed.json)).not.toContain(row.key);

      const one = await api('DELETE', `/users/${user.id}/sessions/${listed.json.sessions[0].uid}`);
      expect(one.status).toBe(200);
      expect(one.json).toEqual({ revoked_sessions: 1, revoked_grants: 1 });
      const left = await api('GET', `/users/${user.id}/sessions`);
      expect(left.json.sessions).toHaveLength(1);
      expect(left.json.grants).toHaveLength(1);
      expectProblem(await api('DELETE', `/users/${user.id}/sessions/${listed.json.sessions[0].uid}`), 404);

      const all = await api('DELETE', `/users/${user.id}/sessions`);
      expect(all.json).toEqual({ revoked_sessions: 1, revoked_grants: 1 });
      for (const { config, tokens } of [first, second]) {
        await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
      }
      expect((await api('GET', `/users/${user.id}/sessions`)).json).toEqual({ sessions: [], grants: [] });

      expectProblem(await api('GET', '/users/no-such-user/sessions'), 404);
      expectProblem(await api('DELETE', '/users/no-such-user/sessions'), 404);
    });
  });

  describe('keys', () => {
    it('lists, rotates and revokes signing keys through the key service rules', async () => {
      const listed = await api('GET', '/keys');
      expect(listed.status).toBe(200);
      const states = listed.json.items.map((k: { state: string }) => k.state).sort();
      expect(states).toEqual(['active', 'next']);
      for (const key of listed.json.items) {
        expect(Object.keys(key).sort()).toEqual(
          ['activated_at', 'alg', 'created_at', 'expires_at', 'kid', 'published_at', 'retired_at', 'revoked_at', 'state', 'use'].sort(),
        );
        expect(key.use).toBe('sig');
      }

      // The next key was published a moment ago: rotating now would outrun RP caches.
      const refused = await api('POST', '/keys/rotate', { body: {} });
      expectProblem(refused, 409);
      expectFields(await api('POST', '/keys/rotate', { body: { alg: 'HS256' } }), 'alg');
      expectFields(await api('POST', '/keys/rotate', { body: { force: 'yes' } }), 'force');

      const rotated = await api('POST', '/keys/rotate', { body: { force: true } });
      expect(rotated.status).toBe(200);
      expect(rotated.json.changes.map((c: { kind: string }) => c.kind).sort()).toEqual(['activate', 'create', 'retire']);
      const next = rotated.json.keys.find((k: { state: string }) => k.state === 'next');

      const revoked = await api('POST', `/keys/${next.kid}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.json.changes).toContainEqual(expect.objectContaining({ kind: 'revoke', kid: next.kid }));
      expect(revoked.json.keys.find((k: { kid: string }) => k.kid === next.kid).state).toBe('revoked');
      expect(revoked.json.keys.filter((k: { state: string }) => k.state === 'next')).toHaveLength(1);
      await sesame.syncKeys();
      const jwks = (await (await fetch(new URL('/jwks', sesame.issuer))).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).not.toContain(next.kid);
      expectProblem(await api('POST', `/keys/${next.kid}/revoke`), 409);
      expectProblem(await api('POST', '/keys/no-such-kid/revoke', { body: {} }), 404);
      expectFields(await api('POST', `/keys/${next.kid}/revoke`, { body: { revoke_grants: 1 } }), 'revoke_grants');
    });
  });

  describe('audit', () => {
    it('records every change with its actor and source address, and stores no secret', async () => {
      const { events } = await sesame.container.audit.list({ limit: 500 });
      const actions = new Set(events.map((e) => e.action));
      for (const action of [
        'client.created',
        'client.updated',
        'client.deleted',
        'client.secret_rotated',
        'user.created',
        'user.updated',
        'user.disabled',
        'user.enabled',
        'user.deleted',
        'user.password_set',
        'key.activated',
        'key.revoked',
        'session.revoked',
      ]) {
        expect(actions, action).toContain(action);
      }
      const created = events.find((e) => e.action === 'client.created' && e.actor === `client:${adminClientId}`)!;
      expect(created.source_address).toEqual(expect.any(String));
      expect(created.target).toEqual(expect.any(String));

      const rows = JSON.stringify(await sesame.container.db.prisma.auditEvent.findMany());
      expect(secrets.length).toBeGreaterThan(10);
      for (const secret of secrets) expect(rows).not.toContain(secret);
    });
  });
});
