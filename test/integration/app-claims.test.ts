// Claims per app: a person's attributes and a client's extra claims, set through the CLI, the
// admin API and the console, and what a relying party (openid-client) then receives in its ID
// token, userinfo and JWT access token: a fixed value, an attribute's value, and no claim at all
// for a person without the attribute. Reserved claim names are refused in every channel.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { parseDynamicRegistration } from '../../src/domain/clients/registration.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const API = 'https://minio.example.com/';
const PASSWORD = 'claims per app password';
const ADMIN = { email: 'root@example.com', password: PASSWORD, isAdmin: true, emailVerified: true };

describe.each(PROVIDERS)('claims per app on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;
  let console_: TestBrowser;

  async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: any }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ISSUER: sesame.issuer, ...TEST_SECRETS },
      cwd: process.cwd(),
    });
    return { code, stdout, stderr, json: argv.includes('--json') && code === 0 ? JSON.parse(stdout) : undefined };
  }

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(new URL(`/admin/api/v1${path}`, sesame.issuer), {
      method,
      headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  /** A person signs in through the client; the ID token's claims, userinfo, and the JWT access token's payload. */
  async function signInThrough(clientId: string, secret: string, email: string) {
    const config = await discover(sesame.issuer, clientId, secret);
    const start = await startAuthorization(config, { scope: 'openid profile email api:read', resource: API });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, { email, password: PASSWORD }), start);
    const idToken = tokens.claims()!;
    const { payload: accessToken } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`)), { audience: API });
    // Userinfo with an opaque token (no resource): the same claims.
    const plain = await startAuthorization(config, { scope: 'openid profile email' });
    const opaque = await exchange(config, await signIn(new TestBrowser(sesame.issuer), plain, { email, password: PASSWORD }), plain);
    const userinfo = await oidc.fetchUserInfo(config, opaque.access_token, idToken.sub);
    return { idToken, userinfo, accessToken };
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(ADMIN);
    const machine = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'], scope: 'admin' });
    const config = await discover(sesame.issuer, machine.client_id, machine.client_secret);
    adminToken = (await oidc.clientCredentialsGrant(config, { scope: 'admin' })).access_token;
    console_ = new TestBrowser(sesame.issuer);
    const login = await console_.request('/admin');
    expect((await console_.submit(login, '/login', { email: ADMIN.email, password: PASSWORD })).status).toBe(200);
  });
  afterAll(async () => sesame?.close());

  it('sets and removes attributes with the CLI; bad names and values are exit 2 with one line', async () => {
    await sesame.container.accounts.create({ email: 'cli@example.com', password: PASSWORD });
    const set = await cli([
      'users',
      'update',
      'cli@example.com',
      '--attribute',
      'grafana_role=Admin',
      '--attribute',
      'teams:=["ops","dev"]',
      '--attribute',
      'level:=3',
      '--json',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.json.attributes).toEqual({ grafana_role: 'Admin', level: 3, teams: ['ops', 'dev'] });
    const removed = await cli(['users', 'update', 'cli@example.com', '--remove-attribute', 'teams', '--json']);
    expect(removed.json.attributes).toEqual({ grafana_role: 'Admin', level: 3 });
    for (const [argv, said] of [
      [['--attribute', 'Bad-Key=x'], /attribute name "Bad-Key" is not valid/],
      [['--attribute', 'level:={"a":1}'], /attribute level must be text, a number/],
      [['--attribute', 'novalue'], /is not key=value/],
    ] as const) {
      const run = await cli(['users', 'update', 'cli@example.com', ...argv]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^sesame: [^\n]+\n$/);
      expect(run.stderr).toMatch(said);
    }
    const updated = (await sesame.container.audit.list({ action: 'user.updated' })).events[0]!;
    expect(updated.details).toMatchObject({ changed: ['attributes'], attributes_changed: ['teams'] });
    expect(JSON.stringify(updated.details)).not.toContain('Admin');
  });

  it('gives a Grafana-style client the role from the attribute and MinIO-style policy fixed, absent when the person has no attribute', async () => {
    const admin = await sesame.container.accounts.create({ email: 'grafana-admin@example.com', password: PASSWORD, name: 'Ada' });
    await sesame.container.accounts.create({ email: 'viewer@example.com', password: PASSWORD });
    expect((await cli(['users', 'update', 'grafana-admin@example.com', '--attribute', 'grafana_role=Admin'])).code).toBe(0);
    const created = await cli([
      'clients',
      'create',
      '--name',
      'Grafana',
      '--redirect-uri',
      REDIRECT_URI,
      '--scope',
      'openid profile email api:read',
      '--resource',
      API,
      '--claim',
      'role=@grafana_role',
      '--claim',
      'policy=readwrite',
      '--claim',
      'limits:={"buckets":3}',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json.extra_claims).toEqual({ limits: { value: { buckets: 3 } }, policy: { value: 'readwrite' }, role: { attribute: 'grafana_role' } });
    const { client_id: clientId, client_secret: secret } = created.json;

    const withRole = await signInThrough(clientId, secret, 'grafana-admin@example.com');
    for (const claims of [withRole.idToken, withRole.userinfo, withRole.accessToken]) {
      expect(claims).toMatchObject({ sub: admin.id, role: 'Admin', policy: 'readwrite', limits: { buckets: 3 } });
    }
    expect(withRole.idToken).toMatchObject({ email: 'grafana-admin@example.com', name: 'Ada' });

    const without = await signInThrough(clientId, secret, 'viewer@example.com');
    for (const claims of [without.idToken, without.userinfo, without.accessToken]) {
      expect(claims).toMatchObject({ policy: 'readwrite' });
      expect(claims).not.toHaveProperty('role');
    }

    // Another client gets none of them; discovery does not list one app's claims.
    const other = await sesame.container.clients.create({
      client_name: 'Other',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile email api:read',
      resources: [API],
    });
    const plain = await signInThrough(other.client_id, other.client_secret!, 'grafana-admin@example.com');
    expect(plain.idToken).not.toHaveProperty('role');
    expect(plain.userinfo).not.toHaveProperty('policy');
    const discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as { claims_supported: string[] };
    expect(discovery.claims_supported).not.toContain('role');

    // The CLI changes one claim at a time; a reserved name is refused naming it.
    const changed = await cli(['clients', 'update', clientId, '--remove-claim', 'limits', '--claim', 'policy=readonly', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.json.extra_claims).toEqual({ policy: { value: 'readonly' }, role: { attribute: 'grafana_role' } });
    for (const name of ['sub', 'email', 'aud']) {
      const refused = await cli(['clients', 'update', clientId, '--claim', `${name}=x`]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`^sesame: extra_claims: claim "${name}" is reserved[^\\n]*\\n$`));
    }
    const shown = await cli(['clients', 'show', clientId]);
    expect(shown.stdout).toContain('role=@grafana_role');
  });

  it('sets attributes and extra claims through the admin API, refusing reserved names and /reg', async () => {
    const user = await sesame.container.accounts.create({ email: 'api@example.com', password: PASSWORD });
    const set = await api('PATCH', `/users/${user.id}`, { attributes: { minio_policy: 'consoleAdmin', groups_seen: ['a'] } });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json.attributes).toEqual({ groups_seen: ['a'], minio_policy: 'consoleAdmin' });
    const removed = await api('PATCH', `/users/${user.id}`, { attributes: { groups_seen: null } });
    expect(removed.json.attributes).toEqual({ minio_policy: 'consoleAdmin' });
    expect((await api('GET', `/users/${user.id}`)).json.attributes).toEqual({ minio_policy: 'consoleAdmin' });
    const badKey = await api('PATCH', `/users/${user.id}`, { attributes: { 'no spaces': 'x' } });
    expect(badKey.status).toBe(422);

    const client = await api('POST', '/clients', {
      client_name: 'MinIO',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile email api:read',
      resources: [API],
      extra_claims: { policy: { attribute: 'minio_policy' } },
    });
    expect(client.status, JSON.stringify(client.json)).toBe(201);
    expect(client.json.extra_claims).toEqual({ policy: { attribute: 'minio_policy' } });
    const { idToken, userinfo } = await signInThrough(client.json.client_id, client.json.client_secret, 'api@example.com');
    expect(idToken.policy).toBe('consoleAdmin');
    expect(userinfo.policy).toBe('consoleAdmin');

    const reserved = await api('PATCH', `/clients/${client.json.client_id}`, { extra_claims: { iss: { value: 'evil' } } });
    expect(reserved.status).toBe(422);
    expect(JSON.stringify(reserved.json)).toContain('claim \\"iss\\" is reserved');
    const cleared = await api('PATCH', `/clients/${client.json.client_id}`, { extra_claims: null });
    expect(cleared.status).toBe(200);
    expect(cleared.json).not.toHaveProperty('extra_claims');
    // Dynamic registration (/reg) may not ask for claims: only an administrator decides them.
    expect(() => parseDynamicRegistration({ redirect_uris: [REDIRECT_URI], extra_claims: { role: { value: 'Admin' } } })).toThrow(
      /"extra_claims" is not supported/,
    );
  });

  it('edits attributes and extra claims in the console, refusing reserved names next to the field', async () => {
    const user = await sesame.container.accounts.create({ email: 'console@example.com', password: PASSWORD, name: 'Con Sole' });
    await sesame.container.accounts.update(user.id, { attributes: { old_one: 'x' } });
    const page = await console_.request(`/admin/users/${user.id}`);
    expect(page.html).toContain('old_one=x');
    const base = { email: 'console@example.com', name: 'Con Sole' };
    const saved = await console_.submit(page, `/admin/users/${user.id}`, { ...base, attributes: 'grafana_role=Editor\nteams:=["ops"]\n' });
    expect(saved.html).toContain('Saved.');
    expect((await sesame.container.accounts.get(user.id)).attributes).toEqual({ grafana_role: 'Editor', teams: ['ops'] });
    const bad = await console_.submit(page, `/admin/users/${user.id}`, { ...base, attributes: 'Role=x' });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('attribute name &quot;Role&quot; is not valid');

    const form: Page = await console_.request('/admin/clients/new');
    const fields = {
      client_name: 'Console app',
      redirect_uris: REDIRECT_URI,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: 'authorization_code',
      scope: 'openid',
    };
    const refused = await console_.submit(form, '/admin/clients', { ...fields, extra_claims: 'role=@grafana_role\nname=Boss' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('claim &quot;name&quot; is reserved');
    const created = await console_.submit(form, '/admin/clients', { ...fields, extra_claims: 'role=@grafana_role\npolicy=readwrite' });
    expect(created.status).toBe(201);
    const client = (await sesame.container.clients.list()).find((c) => c.client_name === 'Console app')!;
    expect(client.extra_claims).toEqual({ policy: { value: 'readwrite' }, role: { attribute: 'grafana_role' } });
    const details = await console_.request(`/admin/clients/${client.client_id}`);
    expect(details.html).toContain('policy:=&quot;readwrite&quot;');
  });
});
