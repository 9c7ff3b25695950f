// The groups claim and explaining access, on each database, with openid-client RPs: a client
// configured with groups_claim gets the person's groups it may see (with the groups scope only)
// in its ID token, userinfo and JWT access token; one without gets none. Set through the CLI, the
// admin API and the console; refused at /reg; a group rename follows into include lists and a group
// still included is not deleted. `access explain` (CLI and admin API) says the same as what is issued.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { parseDynamicRegistration } from '../../src/domain/clients/registration.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const API = 'https://api.example.com/';
const PASSWORD = 'groups claim password 93';
/** What comes from the sign-in itself rather than from the person and the client. */
const PER_SIGN_IN = ['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'auth_time', 'at_hash', 'c_hash', 'acr', 'amr', 'sid', 'azp', 'scope'];
const withoutSignIn = (claims: Record<string, unknown>) => Object.fromEntries(Object.entries(claims).filter(([name]) => !PER_SIGN_IN.includes(name)));

describe.each(PROVIDERS)('groups claim and explain on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ISSUER: sesame.issuer, ...TEST_SECRETS },
      cwd: process.cwd(),
    });
    return { code, stdout, stderr, json: argv.includes('--json') && code === 0 ? (JSON.parse(stdout) as any) : undefined };
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

  async function signInThrough(clientId: string, secret: string, email: string, scope: string) {
    const config = await discover(sesame.issuer, clientId, secret);
    const start = await startAuthorization(config, { scope, resource: API });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, { email, password: PASSWORD }), start);
    const idToken = tokens.claims()! as Record<string, unknown>;
    const { payload: accessToken } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`)), { audience: API });
    const plain = await startAuthorization(config, { scope });
    const opaque = await exchange(config, await signIn(new TestBrowser(sesame.issuer), plain, { email, password: PASSWORD }), plain);
    const userinfo = (await oidc.fetchUserInfo(config, opaque.access_token, idToken.sub as string)) as Record<string, unknown>;
    return { idToken, userinfo, accessToken: accessToken as Record<string, unknown> };
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    for (const name of ['ops', 'sre', 'finance']) await sesame.container.groups.create({ name });
    await sesame.container.accounts.create({ email: 'root@example.com', password: PASSWORD, isAdmin: true, emailVerified: true });
    await sesame.container.accounts.create({ email: 'ada@example.com', password: PASSWORD, name: 'Ada', emailVerified: true });
    await sesame.container.accounts.create({ email: 'bob@example.com', password: PASSWORD, emailVerified: true });
    for (const group of ['ops', 'finance']) await sesame.container.groups.addMember(group, 'ada@example.com');
    const machine = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'], scope: 'admin' });
    adminToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
  });
  afterAll(async () => sesame?.close());

  it('gives only the included groups, with the groups scope only; a client without groups_claim gets none; explain says the same', async () => {
    const created = await cli([
      'clients',
      'create',
      '--name',
      'Grafana',
      '--redirect-uri',
      REDIRECT_URI,
      '--scope',
      'openid profile email groups api:read',
      '--resource',
      API,
      '--groups-claim-include',
      'ops',
      '--groups-claim-include',
      'sre',
      '--groups-claim',
      'roles',
      '--claim',
      'policy=readwrite',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json.groups_claim).toEqual({ name: 'roles', include: ['ops', 'sre'] });
    const { client_id: clientId, client_secret: secret } = created.json;
    const scope = 'openid profile email groups';
    const discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    expect(discovery.scopes_supported).toContain('groups');

    const ada = await signInThrough(clientId, secret, 'ada@example.com', scope);
    // finance is Ada's too, but not this app's business.
    for (const claims of [ada.idToken, ada.userinfo, ada.accessToken]) expect(claims).toMatchObject({ roles: ['ops'], policy: 'readwrite' });

    // The explanation is what was issued (the per-sign-in claims aside).
    const explained = await cli(['access', 'explain', '--user', 'ada@example.com', '--client', clientId, '--scope', scope, '--json']);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.json).toMatchObject({ allowed: true, reason: { rule: 'everyone' } });
    expect(explained.json.claims.id_token).toEqual(withoutSignIn(ada.idToken));
    expect(explained.json.claims.userinfo).toEqual(withoutSignIn(ada.userinfo));
    expect(explained.json.claims.access_token).toEqual(withoutSignIn(ada.accessToken));
    const human = await cli(['access', 'explain', '--user', 'ada@example.com', '--client', clientId, '--scope', scope]);
    expect(human.stdout).toContain('allowed: the client has no access rule');
    expect(human.stdout).toContain('roles: ["ops"]');

    // Without the groups scope: no groups claim (the extra claims stay).
    const noScope = await signInThrough(clientId, secret, 'bob@example.com', 'openid email');
    for (const claims of [noScope.idToken, noScope.userinfo, noScope.accessToken]) {
      expect(claims).not.toHaveProperty('roles');
      expect(claims).toMatchObject({ policy: 'readwrite' });
    }
    // Bob is in no included group: an empty list.
    const bob = await signInThrough(clientId, secret, 'bob@example.com', scope);
    expect(bob.userinfo.roles).toEqual([]);
    const bobExplained = await api('GET', `/access/explain?user=bob%40example.com&client=${clientId}&scope=${encodeURIComponent(scope)}`);
    expect(bobExplained.status).toBe(200);
    expect(bobExplained.json.claims.userinfo).toEqual(withoutSignIn(bob.userinfo));
    expect(bobExplained.json.claims.id_token).toEqual(withoutSignIn(bob.idToken));

    // A client with the groups scope but no groups_claim: no claim at all.
    const plain = await sesame.container.clients.create({
      client_name: 'Wiki',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid email groups api:read',
      resources: [API],
    });
    const wiki = await signInThrough(plain.client_id, plain.client_secret!, 'ada@example.com', 'openid email groups');
    for (const claims of [wiki.idToken, wiki.userinfo, wiki.accessToken]) expect(Object.keys(claims)).not.toContain('groups');

    // "all", under the default name, set by the admin API.
    const patched = await api('PATCH', `/clients/${plain.client_id}`, { groups_claim: { include: 'all' } });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect(patched.json.groups_claim).toEqual({ name: 'groups', include: 'all' });
    const all = await signInThrough(plain.client_id, plain.client_secret!, 'ada@example.com', 'openid email groups');
    for (const claims of [all.idToken, all.userinfo, all.accessToken]) expect(claims).toMatchObject({ groups: ['finance', 'ops'] });
  });

  it('refuses reserved names, unknown groups and /reg; cleared with --no-groups-claim', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Refusals', redirect_uris: [REDIRECT_URI] });
    for (const [argv, said] of [
      [['--groups-claim-include', 'ops', '--groups-claim', 'email'], /groups_claim: claim "email" is reserved/],
      [['--groups-claim-include', 'nobody'], /groups_claim: no group named nobody/],
      [['--groups-claim', 'teams'], /needs --groups-claim-include/],
      [['--groups-claim-include', 'all', '--groups-claim-include', 'ops'], /stands alone/],
    ] as const) {
      const run = await cli(['clients', 'update', client.client_id, ...argv]);
      expect(run.code, run.stdout).not.toBe(0);
      expect(run.stderr).toMatch(/^sesame: [^\n]+\n$/);
      expect(run.stderr).toMatch(said);
    }
    const bad = await api('PATCH', `/clients/${client.client_id}`, { groups_claim: { name: 'sub', include: 'all' } });
    expect(bad.status).toBe(422);
    expect(() => parseDynamicRegistration({ redirect_uris: [REDIRECT_URI], groups_claim: { include: 'all' } })).toThrow(/groups_claim/);
    // An app's own update (RFC 7592) keeps the groups claim an administrator gave it; the provider never sees the field.
    await sesame.container.clients.saveRegistered('dyn-groups', { client_name: 'Dyn', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
    await sesame.container.clients.update('dyn-groups', { groups_claim: { include: ['ops'] } });
    await sesame.container.clients.saveRegistered('dyn-groups', { client_name: 'Dyn 2', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
    expect(await sesame.container.clients.get('dyn-groups')).toMatchObject({ client_name: 'Dyn 2', groups_claim: { name: 'groups', include: ['ops'] } });
    expect(await sesame.container.clients.findForProvider('dyn-groups')).not.toHaveProperty('groups_claim');

    expect((await cli(['clients', 'update', client.client_id, '--groups-claim-include', 'all'])).code).toBe(0);
    expect((await cli(['clients', 'show', client.client_id])).stdout).toMatch(/groups_claim: +groups: all groups/);
    expect((await cli(['clients', 'update', client.client_id, '--no-groups-claim'])).code).toBe(0);
    expect((await sesame.container.clients.get(client.client_id)).groups_claim).toBeUndefined();
  });

  it('follows a group rename into include lists and refuses deleting a group still included', async () => {
    await sesame.container.groups.create({ name: 'interns' });
    const client = await sesame.container.clients.create({
      client_name: 'Renames',
      redirect_uris: [REDIRECT_URI],
      groups_claim: { include: ['interns', 'ops'] },
    });
    await sesame.container.groups.rename('interns', 'trainees');
    expect((await sesame.container.clients.get(client.client_id)).groups_claim).toEqual({ name: 'groups', include: ['trainees', 'ops'] });
    await expect(sesame.container.groups.delete('trainees')).rejects.toThrow(/groups_claim of client Renames/);
    await sesame.container.clients.update(client.client_id, { groups_claim: null });
    await sesame.container.groups.delete('trainees');
  });

  it('explains refusals: not in any allowed group, allowed via a group, disabled', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Ops only', redirect_uris: [REDIRECT_URI], allowed_groups: ['ops', 'sre'] });
    const bob = await cli(['access', 'explain', '--user', 'bob@example.com', '--client', client.client_id, '--json']);
    expect(bob.json).toMatchObject({ allowed: false, reason: { rule: 'not_in_groups', allowed_groups: ['ops', 'sre'] }, claims: null });
    const ada = await api('GET', `/access/explain?user=ada%40example.com&client=${client.client_id}`);
    expect(ada.json).toMatchObject({ allowed: true, reason: { rule: 'group', groups: ['ops'] }, summary: 'allowed via group ops' });
    const carol = await sesame.container.accounts.create({ email: 'carol@example.com', password: PASSWORD });
    await sesame.container.accounts.setDisabled(carol.id, true);
    expect((await api('GET', `/access/explain?user=carol%40example.com&client=${client.client_id}`)).json.reason).toEqual({ rule: 'disabled' });
    expect((await api('GET', `/access/explain?user=nobody%40example.com&client=${client.client_id}`)).status).toBe(404);
    const usage = await cli(['access', 'explain', '--user', 'ada@example.com']);
    expect(usage.code).toBe(2);
  });

  it('sets the groups claim in the console client form and explains access on the user page', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request('/admin');
    expect((await browser.submit(login, '/login', { email: 'root@example.com', password: PASSWORD })).status).toBe(200);
    const form = await browser.request('/admin/clients/new');
    const fields = {
      client_name: 'Console groups',
      redirect_uris: REDIRECT_URI,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: 'authorization_code',
      scope: 'openid groups',
    };
    const refused = await browser.submit(form, '/admin/clients', { ...fields, groups_claim: 'ops', groups_claim_name: 'aud' });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('groups_claim: claim &quot;aud&quot; is reserved');
    const created = await browser.submit(form, '/admin/clients', { ...fields, groups_claim: 'ops\nfinance\n', groups_claim_name: 'teams' });
    expect(created.status).toBe(201);
    const client = (await sesame.container.clients.list()).find((c) => c.client_name === 'Console groups')!;
    expect(client.groups_claim).toEqual({ name: 'teams', include: ['ops', 'finance'] });

    const ada = (await sesame.container.accounts.findByEmail('ada@example.com'))!;
    const page = await browser.request(`/admin/users/${ada.id}?explain_client=${client.client_id}&explain_scope=${encodeURIComponent('openid groups')}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<strong>Allowed</strong>');
    expect(page.html).toContain('<dt>teams</dt><dd class="code">[&quot;finance&quot;,&quot;ops&quot;]</dd>');
    const unknown = await browser.request(`/admin/users/${ada.id}?explain_client=nope`);
    expect(unknown.html).toContain('no client with id nope');
    // The client page: type a person.
    const fromClient = await browser.request(
      `/admin/clients/${client.client_id}?explain_user=bob%40example.com&explain_scope=${encodeURIComponent('openid groups')}`,
    );
    expect(fromClient.status).toBe(200);
    expect(fromClient.html).toContain('<strong>Allowed</strong>');
    expect(fromClient.html).toContain('<dt>teams</dt><dd class="code">[]</dd>');
    const nobody = await browser.request(`/admin/clients/${client.client_id}?explain_user=nobody%40example.com`);
    expect(nobody.html).toContain('no user with email nobody@example.com');
  });
});
