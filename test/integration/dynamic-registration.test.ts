// Dynamic client registration (RFC 7591) and registration management (RFC 7592) over real HTTP,
// on every database this run covers: /reg is closed without an initial access token an admin
// made (CLI or admin API); with one, a client registers under the same rules and with the same
// messages as POST /admin/api/v1/clients, and then signs a person in with openid-client; it reads,
// replaces and deletes its registration with its registration access token. Also the admin API's
// audit log route (GET /admin/api/v1/audit): paging, filters, admin only.
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { createInitialAccessToken, REGISTRATION_POLICY } from '../../src/oidc/initial-access-token.js';
import { TestBrowser } from '../helpers/browser.js';
import { advanceClock, restoreClock } from '../helpers/clock.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const ADMIN = '/admin/api/v1';
const PASSWORD = 'correct horse battery staple';
const EMAIL = 'dyn@example.com';

interface JsonResponse {
  status: number;
  headers: Headers;
  json: any;
}

describe.each(PROVIDERS)('dynamic client registration on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;
  let plainToken: string;
  /** Values that must never reach the audit log. */
  const secrets: string[] = [];

  async function request(method: string, url: string, options: { token?: string; body?: unknown } = {}): Promise<JsonResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(url, sesame.issuer), {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  }

  const admin = (method: string, path: string, body?: unknown, token = adminToken) =>
    request(method, ADMIN + path, { token, ...(body !== undefined ? { body } : {}) });
  const register = (body: unknown, token?: string) => request('POST', '/reg', { body, ...(token ? { token } : {}) });

  async function initialToken(expiresIn?: number): Promise<string> {
    const response = await admin('POST', '/initial-access-tokens', expiresIn !== undefined ? { expires_in: expiresIn } : {});
    expect(response.status, JSON.stringify(response.json)).toBe(201);
    secrets.push(response.json.initial_access_token);
    return response.json.initial_access_token as string;
  }

  async function machineToken(scope: string): Promise<string> {
    const client = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'], scope });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const tokens = await oidc.clientCredentialsGrant(config, scope ? { scope } : {});
    secrets.push(client.client_secret!, tokens.access_token);
    return tokens.access_token;
  }

  async function sesameCli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ISSUER: sesame.issuer, ...TEST_SECRETS },
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    adminToken = await machineToken('admin');
    plainToken = await machineToken('');
    await sesame.container.accounts.create({ email: EMAIL, password: PASSWORD, emailVerified: true });
  });
  afterAll(async () => sesame?.close());
  afterEach(restoreClock);

  it('lists the registration endpoint in discovery', async () => {
    const discovery = await request('GET', '/.well-known/openid-configuration');
    expect(discovery.json.registration_endpoint).toBe(`${sesame.issuer}/reg`);
  });

  it('refuses registration without an initial access token, or with one Sesame did not make', async () => {
    const metadata = { client_name: 'Uninvited', redirect_uris: [REDIRECT_URI] };
    const none = await register(metadata);
    expect(none.status).toBe(401);
    expect(none.json.error).toBe('invalid_token');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const made_up = await register(metadata, 'not-an-initial-access-token');
    expect(made_up.status).toBe(401);
    expect(made_up.json.error).toBe('invalid_token');
    // Nothing was registered.
    expect((await sesame.container.clients.list()).map((c) => c.client_name)).not.toContain('Uninvited');
  });

  it('registers a client with an initial access token (openid-client), which then signs a person in', async () => {
    const token = await initialToken();
    const registered = await oidc.dynamicClientRegistration(
      new URL(sesame.issuer),
      { client_name: 'Self-registered', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: ['http://localhost:8080/signed-out'] },
      undefined,
      { initialAccessToken: token, execute: [oidc.allowInsecureRequests] },
    );
    const metadata = registered.clientMetadata();
    expect(metadata.client_id).toEqual(expect.any(String));
    expect(metadata.client_secret).toEqual(expect.any(String));
    expect(metadata.registration_access_token).toEqual(expect.any(String));
    expect(metadata.registration_client_uri).toBe(`${sesame.issuer}/reg/${metadata.client_id}`);
    secrets.push(metadata.client_secret as string, metadata.registration_access_token as string);

    // Stored in Sesame's client table, with the shared rules' defaults, like any other client.
    const stored = await sesame.container.clients.get(metadata.client_id);
    expect(stored).toMatchObject({
      client_name: 'Self-registered',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
      has_secret: true,
    });
    expect((await admin('GET', `/clients/${metadata.client_id}`)).status).toBe(200);

    const config = await discover(sesame.issuer, metadata.client_id, metadata.client_secret as string);
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, { email: EMAIL, password: PASSWORD }), start);
    expect(tokens.claims()?.aud).toBe(metadata.client_id);

    // The initial access token may be used again until it expires.
    const second = await register({ client_name: 'Second', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' }, token);
    expect(second.status, JSON.stringify(second.json)).toBe(201);
    expect(second.json).not.toHaveProperty('client_secret');
    expect(second.json.token_endpoint_auth_method).toBe('none');
    expect((await sesame.container.clients.get(second.json.client_id)).has_secret).toBe(false);

    const registeredEvent = (await sesame.container.audit.list({ action: 'client.registered' })).events.find(
      (e) => e.target === `client:${metadata.client_id}`,
    );
    expect(registeredEvent).toMatchObject({ actor: 'anonymous', source_address: expect.any(String) });
    expect(registeredEvent?.details).toMatchObject({ client_name: 'Self-registered', via: 'dynamic_registration' });
  });

  it('refuses invalid metadata with exactly the message the admin API gives for the same input', async () => {
    const token = await initialToken();
    // One schema: the very same body goes to the admin API and to /reg.
    const cases: { body: Record<string, unknown>; message: string }[] = [
      {
        body: { client_name: 'Evil', redirect_uris: ['http://evil.example/cb'] },
        message: 'redirect URI "http://evil.example/cb" must use https (http is allowed only for localhost)',
      },
      {
        body: { client_name: 'Fragment', redirect_uris: ['https://app.example/cb#x'] },
        message: 'redirect URI "https://app.example/cb#x" must not contain a fragment (#)',
      },
      {
        body: { client_name: 'Wildcard', redirect_uris: ['https://*.app.example/cb'] },
        message: 'redirect URI "https://*.app.example/cb" must not contain a wildcard (*)',
      },
      {
        body: { client_name: 'Implicit', redirect_uris: [REDIRECT_URI], grant_types: ['implicit'] },
        message: 'grant type "implicit" is not supported; use authorization_code, refresh_token, client_credentials',
      },
      { body: { client_name: 'No redirect' }, message: 'at least one redirect URI is required for the authorization_code grant' },
      {
        body: { client_name: 'Public machine', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] },
        message: 'a public client cannot use client_credentials: it has no secret to authenticate with',
      },
    ];
    for (const { body, message } of cases) {
      const viaApi = await admin('POST', '/clients', body);
      expect(viaApi.status, JSON.stringify(viaApi.json)).toBe(422);
      expect(viaApi.json.errors.map((e: { message: string }) => e.message)).toEqual([message]);

      const viaReg = await register(body, token);
      expect(viaReg.status, JSON.stringify(viaReg.json)).toBe(400);
      expect(viaReg.json).toEqual({ error: 'invalid_client_metadata', error_description: message });
    }
    const names = (await sesame.container.clients.list()).map((c) => c.client_name);
    for (const { body } of cases) expect(names).not.toContain(body.client_name);
  });

  it("refuses the console hijack: the console's name and Sesame's own origin, on every channel with the same message", async () => {
    const token = await initialToken();
    const consoleCallback = `${sesame.issuer}/admin/callback`;
    // What an attacker registered before anyone opened /admin, so the console found it by name.
    const hijack = await register(
      { client_name: 'Sesame console', token_endpoint_auth_method: 'none', redirect_uris: [consoleCallback, 'https://evil.example/cb'] },
      token,
    );
    expect(hijack.status, JSON.stringify(hijack.json)).toBe(400);
    expect(hijack.json).toEqual({
      error: 'invalid_client_metadata',
      error_description: `client_name "Sesame console" is reserved for Sesame's own admin console; choose another name`,
    });

    const ownOrigin = `is on Sesame's own origin (${sesame.issuer}); only Sesame's admin console may use it`;
    const cases: { body: Record<string, unknown>; field: string; message: string }[] = [
      {
        body: { client_name: 'sesame  CONSOLE', redirect_uris: [REDIRECT_URI] },
        field: 'client_name',
        message: `client_name "sesame  CONSOLE" is reserved for Sesame's own admin console; choose another name`,
      },
      {
        body: { client_name: 'Lookalike', token_endpoint_auth_method: 'none', redirect_uris: ['https://evil.example/cb', consoleCallback] },
        field: 'redirect_uris',
        message: `redirect URI "${consoleCallback}" ${ownOrigin}`,
      },
      {
        body: { client_name: 'Loopback alias', redirect_uris: [consoleCallback.replace('localhost', '127.0.0.1')] },
        field: 'redirect_uris',
        message: `redirect URI "${consoleCallback.replace('localhost', '127.0.0.1')}" ${ownOrigin}`,
      },
      {
        body: { client_name: 'Logout back home', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: [`${sesame.issuer}/admin`] },
        field: 'post_logout_redirect_uris',
        message: `post-logout redirect URI "${sesame.issuer}/admin" ${ownOrigin}`,
      },
      {
        // SSRF: Sesame would post logout tokens to itself.
        body: { client_name: 'Back-channel home', redirect_uris: [REDIRECT_URI], backchannel_logout_uri: `${sesame.issuer}/admin/api/v1/users` },
        field: 'backchannel_logout_uri',
        message: `back-channel logout URI "${sesame.issuer}/admin/api/v1/users" ${ownOrigin}`,
      },
    ];
    for (const { body, field, message } of cases) {
      const viaReg = await register(body, token);
      expect(viaReg.status, JSON.stringify(viaReg.json)).toBe(400);
      expect(viaReg.json).toEqual({ error: 'invalid_client_metadata', error_description: message });

      const viaApi = await admin('POST', '/clients', body);
      expect(viaApi.status, JSON.stringify(viaApi.json)).toBe(422);
      expect(viaApi.json.errors).toEqual([{ field, message }]);
    }

    // An RFC 7592 update cannot move an existing registration there either.
    const created = await register({ client_name: 'Later', redirect_uris: [REDIRECT_URI] }, token);
    secrets.push(created.json.client_secret, created.json.registration_access_token);
    const moved = await request('PUT', created.json.registration_client_uri, {
      token: created.json.registration_access_token,
      body: { client_id: created.json.client_id, client_name: 'Sesame console', redirect_uris: [REDIRECT_URI, consoleCallback] },
    });
    expect(moved.status).toBe(400);
    expect(moved.json.error).toBe('invalid_client_metadata');

    // The CLI says the same, and exits 2.
    const cli = await sesameCli(['clients', 'create', '--name', 'Sesame console', '--redirect-uri', REDIRECT_URI]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`client_name "Sesame console" is reserved for Sesame's own admin console`);
    const cliOrigin = await sesameCli(['clients', 'create', '--name', 'Sneaky', '--public', '--redirect-uri', consoleCallback]);
    expect(cliOrigin.code).toBe(2);
    expect(cliOrigin.stderr).toContain(`redirect URI "${consoleCallback}" ${ownOrigin}`);

    // The console's own client (a fixed id) is the only one with its name, its URIs unchanged,
    // and neither the admin API nor the CLI can change or delete it.
    const consoles = (await sesame.container.clients.list()).filter((c) => c.client_name.toLowerCase().includes('console'));
    expect(consoles.map((c) => [c.client_id, c.redirect_uris])).toEqual([['sesame-console', [consoleCallback, `${sesame.issuer}/account/callback`]]]);
    const patched = await admin('PATCH', '/clients/sesame-console', { redirect_uris: [consoleCallback, 'https://evil.example/cb'] });
    expect(patched.status).toBe(409);
    expect(patched.json.detail).toContain("the admin console's own client");
    expect((await admin('DELETE', '/clients/sesame-console')).status).toBe(409);
    expect((await sesameCli(['clients', 'delete', 'sesame-console'])).code).toBe(2);
    expect((await sesame.container.clients.get('sesame-console')).redirect_uris).toEqual([consoleCallback, `${sesame.issuer}/account/callback`]);
  });

  it('refuses what Sesame cannot store, other auth methods, and the admin and API scopes, by name', async () => {
    const token = await initialToken();
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ request_uris: ['https://app.example/request'] }, /client metadata "request_uris" is not supported by this provider/],
      [{ token_endpoint_auth_method: 'tls_client_auth' }, /token_endpoint_auth_method "tls_client_auth" is not supported/],
      [
        { jwks_uri: 'https://app.example/jwks' },
        /jwks_uri is only for private_key_jwt clients and clients with encrypted responses \(id_token_encrypted_response_alg, userinfo_encrypted_response_alg\); this client uses client_secret_basic/,
      ],
      [{ scope: 'openid admin' }, /scope "admin" cannot be registered dynamically/],
      [{ scope: 'openid orders:read' }, /scope "orders:read" is not available to dynamically registered clients/],
      [{ response_types: ['code id_token'] }, /response type "code id_token" is not supported; use code/],
      [{ application_type: 'native' }, /application_type "native" does not match the redirect URIs, which make this a web client/],
    ];
    for (const [extra, message] of refused) {
      const response = await register({ client_name: 'Refused', redirect_uris: [REDIRECT_URI], ...extra }, token);
      expect(response.status, JSON.stringify(response.json)).toBe(400);
      expect(response.json.error).toBe('invalid_client_metadata');
      expect(response.json.error_description).toMatch(message);
    }
    expect((await sesame.container.clients.list()).map((c) => c.client_name)).not.toContain('Refused');
  });

  it('lets the client read, replace and delete its registration with its registration access token (RFC 7592)', async () => {
    const token = await initialToken();
    const created = await register({ client_name: 'Managed', redirect_uris: [REDIRECT_URI] }, token);
    expect(created.status).toBe(201);
    const { client_id: clientId, client_secret: secret, registration_client_uri: uri } = created.json;
    let rat: string = created.json.registration_access_token;
    secrets.push(secret, rat);

    expect((await request('GET', uri)).status).toBe(401);
    expect((await request('GET', uri, { token: 'wrong' })).status).toBe(401);
    const read = await request('GET', uri, { token: rat });
    expect(read.status).toBe(200);
    // Sesame's own settings as they apply: a confidential client's refresh tokens do not rotate by default.
    expect(read.json).toMatchObject({
      client_id: clientId,
      client_name: 'Managed',
      redirect_uris: [REDIRECT_URI],
      require_pkce: true,
      rotate_refresh_tokens: false,
    });

    const replacement = {
      client_id: clientId,
      client_name: 'Managed v2',
      redirect_uris: ['https://app.example/callback', REDIRECT_URI],
      scope: 'openid email',
      // Its library sends no PKCE; a public client could not ask for this (below).
      require_pkce: false,
      rotate_refresh_tokens: true,
    };
    const updated = await request('PUT', uri, { token: rat, body: replacement });
    expect(updated.status, JSON.stringify(updated.json)).toBe(200);
    expect(updated.json).toMatchObject({ client_name: 'Managed v2', scope: 'openid email' });
    // The registration access token is replaced on every update; the old one stops working.
    expect(updated.json.registration_access_token).not.toBe(rat);
    expect((await request('GET', uri, { token: rat })).status).toBe(401);
    rat = updated.json.registration_access_token;
    secrets.push(rat);
    const stored = await sesame.container.clients.get(clientId);
    expect(stored).toMatchObject({
      client_name: 'Managed v2',
      redirect_uris: ['https://app.example/callback', REDIRECT_URI],
      scope: 'openid email',
      require_pkce: false,
      rotate_refresh_tokens: true,
    });
    // The secret stayed: the client still authenticates with it.
    const config = await discover(sesame.issuer, clientId, secret);
    expect(config.clientMetadata().client_id).toBe(clientId);

    // An update goes through the same rules.
    const bad = await request('PUT', uri, { token: rat, body: { ...replacement, redirect_uris: ['http://evil.example/cb'] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error_description).toBe('redirect URI "http://evil.example/cb" must use https (http is allowed only for localhost)');
    const publicWithoutPkce = await register(
      { client_name: 'SPA', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', require_pkce: false },
      token,
    );
    expect(publicWithoutPkce.status).toBe(400);
    expect(publicWithoutPkce.json).toEqual({
      error: 'invalid_client_metadata',
      error_description: 'require_pkce cannot be false for a public client: PKCE is what binds its authorization code to it (it has no secret)',
    });
    const elevate = await request('PUT', uri, { token: rat, body: { ...replacement, scope: 'openid admin' } });
    expect(elevate.status).toBe(400);
    expect((await sesame.container.clients.get(clientId)).scope).toBe('openid email');

    const updatedEvent = (await sesame.container.audit.list({ action: 'client.updated' })).events.find((e) => e.target === `client:${clientId}`);
    expect(updatedEvent?.actor).toBe(`client:${clientId}`);

    const removed = await request('DELETE', uri, { token: rat });
    expect(removed.status).toBe(204);
    expect((await admin('GET', `/clients/${clientId}`)).status).toBe(404);
    expect((await request('GET', uri, { token: rat })).status).toBe(401);
    // One record, by the client itself (the deletion used to be recorded a second time, by "system").
    const deleted = (await sesame.container.audit.list({ action: 'client.deleted' })).events.filter((e) => e.target === `client:${clientId}`);
    expect(deleted.map((e) => e.actor)).toEqual([`client:${clientId}`]);
  });

  it('refuses an expired initial access token', async () => {
    const { initial_access_token: token } = await createInitialAccessToken(sesame.holder.current(), 1);
    // Lifetimes count whole seconds: two seconds on, the one-second token has expired.
    advanceClock(2000);
    const response = await register({ client_name: 'Late', redirect_uris: [REDIRECT_URI] }, token);
    expect(response.status).toBe(401);
    expect(response.json.error).toBe('invalid_token');
  });

  it('makes initial access tokens only for admins, with a bounded lifetime, and records that one was made', async () => {
    expect((await admin('POST', '/initial-access-tokens', {}, '')).status).toBe(401);
    expect((await admin('POST', '/initial-access-tokens', {}, plainToken)).status).toBe(403);
    const tooLong = await admin('POST', '/initial-access-tokens', { expires_in: 365 * 24 * 3600 });
    expect(tooLong.status).toBe(422);
    expect(tooLong.json.errors[0].field).toBe('expires_in');

    const made = await admin('POST', '/initial-access-tokens', { expires_in: 600 });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    expect(made.json).toMatchObject({ expires_in: 600, registration_endpoint: `${sesame.issuer}/reg` });
    expect(Date.parse(made.json.expires_at) - Date.now()).toBeGreaterThan(590_000);
    secrets.push(made.json.initial_access_token);
    // Stored with the policy that applies Sesame's client rules.
    const stored = await sesame.holder.current().InitialAccessToken.find(made.json.initial_access_token);
    expect(stored?.policies).toEqual([REGISTRATION_POLICY]);

    const { events } = await sesame.container.audit.list({ action: 'client.initial_token_created' });
    expect(events[0]).toMatchObject({ actor: expect.stringMatching(/^client:/), details: { expires_in: 600 } });
  });

  it('makes an initial access token with `sesame clients initial-token` that works at /reg', async () => {
    const human = await sesameCli(['clients', 'initial-token']);
    expect(human.code, human.stderr).toBe(0);
    const token = /^initial_access_token: (\S+)$/m.exec(human.stdout)?.[1];
    expect(token).toBeDefined();
    secrets.push(token!);
    expect(human.stdout).toContain(`${sesame.issuer}/reg`);
    const registered = await register({ client_name: 'Via CLI token', redirect_uris: [REDIRECT_URI] }, token);
    expect(registered.status, JSON.stringify(registered.json)).toBe(201);

    const json = await sesameCli(['clients', 'initial-token', '--expires-in', '15m', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const issued = JSON.parse(json.stdout);
    expect(issued.expires_in).toBe(900);
    secrets.push(issued.initial_access_token);
    expect((await register({ client_name: 'Via CLI json', redirect_uris: [REDIRECT_URI] }, issued.initial_access_token)).status).toBe(201);

    const bad = await sesameCli(['clients', 'initial-token', '--expires-in', 'forever']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expires-in must be a duration/);

    const { events } = await sesame.container.audit.list({ action: 'client.initial_token_created' });
    expect(events.some((e) => /^cli(:|$)/.test(e.actor) && e.details.expires_in === 900)).toBe(true);
  });

  describe('GET /admin/api/v1/audit', () => {
    it('is for admins only', async () => {
      expect((await admin('GET', '/audit', undefined, '')).status).toBe(401);
      expect((await admin('GET', '/audit', undefined, plainToken)).status).toBe(403);
    });

    it('pages through events newest first and filters by action and time', async () => {
      const first = await admin('GET', '/audit?limit=2');
      expect(first.status).toBe(200);
      expect(first.json.items).toHaveLength(2);
      expect(first.json.next_cursor).toEqual(expect.any(String));
      const [a, b] = first.json.items;
      expect(Date.parse(a.at)).toBeGreaterThanOrEqual(Date.parse(b.at));
      const second = await admin('GET', `/audit?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`);
      expect(second.status).toBe(200);
      const ids = [...first.json.items, ...second.json.items].map((e: { id: string }) => e.id);
      expect(new Set(ids).size).toBe(ids.length);

      const registered = await admin('GET', '/audit?action=client.registered');
      expect(registered.json.items.length).toBeGreaterThan(0);
      for (const event of registered.json.items) expect(event).toMatchObject({ action: 'client.registered', actor: 'anonymous' });

      const future = await admin('GET', `/audit?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
      expect(future.json).toEqual({ items: [], next_cursor: null });

      const badSince = await admin('GET', '/audit?since=yesterday');
      expect(badSince.status).toBe(422);
      expect(badSince.json.errors[0].field).toBe('since');
      expect((await admin('GET', '/audit?cursor=no-such-event')).status).toBe(422);
      expect((await admin('GET', '/audit?limit=0')).status).toBe(422);
    });

    it('holds no token, secret or password', async () => {
      const all: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: JsonResponse = await admin('GET', `/audit?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        all.push(...page.json.items);
        cursor = page.json.next_cursor;
      } while (cursor);
      const text = JSON.stringify(all);
      for (const secret of [...secrets, PASSWORD]) expect(text).not.toContain(secret);
    });
  });
});
