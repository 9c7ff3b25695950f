// The audit log against the real server: sign-ins (good and bad), consent, sign-out, revocations,
// failed client authentication, key changes and CLI changes are recorded with actor, action,
// target, time and source address, and no row ever holds a password, secret or token.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBy } from '../../src/cli/actor.js';
import { runCli } from '../../src/cli/run.js';
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };
const WRONG_PASSWORD = 'not the password at all';
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

describe.each(PROVIDERS)('audit log on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let clientId: string;
  let sub: string;
  /** Everything that must never appear in an audit row. */
  const secrets: string[] = [USER.password, WRONG_PASSWORD];

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    sub = (await sesame.container.accounts.create({ ...USER, emailVerified: true })).id;
    const client = await sesame.container.clients.create({
      client_name: 'Notes',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    clientId = client.client_id;
    secrets.push(client.client_secret!);
    config = await discover(sesame.issuer, clientId, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  async function events(options: { action?: string } = {}): Promise<AuditEvent[]> {
    return (await sesame.container.audit.list({ limit: 500, ...options })).events;
  }

  /** Provider events are recorded without holding up the response: wait for them to land. */
  async function eventually(action: string, match: (e: AuditEvent) => boolean = () => true): Promise<AuditEvent> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = (await events({ action })).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${action} event recorded; have: ${JSON.stringify(await events(), null, 2)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function cli(argv: string[], stdin?: string) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ...TEST_SECRETS },
      ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    });
    expect(code, stderr).toBe(0);
    return { stdout, json: argv.includes('--json') ? JSON.parse(stdout) : undefined };
  }

  it('records the signing keys the first start created, by the system, with kid and reason', async () => {
    const created = await events({ action: 'key.created' });
    const keys = await sesame.container.keys.list();
    expect(keys.length).toBeGreaterThan(0);
    expect(created.map((e) => e.target).sort()).toEqual(keys.map((k) => `key:${k.kid}`).sort());
    for (const event of created) {
      expect(event).toMatchObject({ actor: 'system', details: { kid: expect.any(String), alg: 'RS256', reason: expect.any(String) } });
    }
  });

  it('records a failed sign-in (anonymous, the email typed), a successful one and consent, with the source address', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const login = await browser.request(start.url.toString());
    const failed = await browser.submit(login, '/login', { email: USER.email, password: WRONG_PASSWORD });
    expect(failed.status).toBe(401);
    const consent = await browser.submit(failed, '/login', { email: USER.email, password: USER.password });
    const callback = await browser.submit(consent, '/confirm');
    expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);

    const failure = await eventually('login.failed');
    expect(failure).toMatchObject({ actor: 'anonymous', target: USER.email, details: { client_id: clientId } });
    expect(failure.source_address).toMatch(LOOPBACK);
    expect(Date.now() - Date.parse(failure.at)).toBeLessThan(60_000);

    const success = await eventually('login.succeeded');
    expect(success).toMatchObject({ actor: `user:${sub}`, target: `user:${sub}`, details: { client_id: clientId, remember: false } });
    expect(success.source_address).toMatch(LOOPBACK);

    const consented = await eventually('consent.granted');
    expect(consented).toMatchObject({ actor: `user:${sub}`, target: `client:${clientId}`, details: { client_id: clientId } });
    expect(consented.details.scope).toContain('openid');
    expect(consented.source_address).toMatch(LOOPBACK);
  });

  it('records token revocation by the client, and the grant revoked with a refresh token', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const signInForTokens = async () => {
      const start = await startAuthorization(config, { scope: 'openid profile email offline_access', prompt: 'consent' });
      const tokens = await exchange(config, await signIn(browser, start, USER), start);
      secrets.push(tokens.access_token, tokens.refresh_token!, tokens.id_token!);
      return tokens;
    };

    // An access token: it goes (with the other tokens of its grant); the grant stays.
    const first = await signInForTokens();
    await oidc.tokenRevocation(config, first.access_token);
    const revoked = await eventually('token.revoked', (e) => e.details.kind === 'AccessToken');
    expect(revoked).toMatchObject({
      actor: `client:${clientId}`,
      target: `user:${sub}`,
      details: { client_id: clientId, sub, grant_id: expect.any(String) },
    });
    expect(revoked.source_address).toMatch(LOOPBACK);

    // A refresh token ends the whole grant.
    const second = await signInForTokens();
    await oidc.tokenRevocation(config, second.refresh_token!);
    const refresh = await eventually('token.revoked', (e) => e.details.kind === 'RefreshToken');
    expect(refresh).toMatchObject({ actor: `client:${clientId}`, target: `user:${sub}`, details: { client_id: clientId, sub } });
    const grantId = refresh.details.grant_id;
    expect(grantId).toEqual(expect.any(String));
    const grant = await eventually('grant.revoked', (e) => e.details.grant_id === grantId);
    expect(grant).toMatchObject({
      actor: `client:${clientId}`,
      target: `grant:${grantId}`,
      details: { route: 'revocation', client_id: clientId, sub },
    });
    expect(grant.source_address).toMatch(LOOPBACK);
  });

  it('records the grant revoked when an authorization code is replayed', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const callback = await signIn(browser, start, USER);
    const tokens = await exchange(config, callback, start);
    secrets.push(tokens.access_token, tokens.id_token!);
    await expect(exchange(config, callback, start)).rejects.toThrow();

    const replay = await eventually('grant.revoked', (e) => e.details.route === 'token');
    expect(replay).toMatchObject({ actor: `client:${clientId}`, details: { client_id: clientId, reason: expect.stringMatching(/replayed/) } });
    expect(replay.source_address).toMatch(LOOPBACK);
  });

  it('records a sign-out by the person signed in', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    secrets.push(tokens.access_token, tokens.id_token!);
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI });
    const confirm = await browser.request(endSession.toString());
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith(POST_LOGOUT_URI)).toBe(true);

    const logout = await eventually('logout.succeeded');
    expect(logout).toMatchObject({ actor: `user:${sub}`, target: `user:${sub}`, details: { client_id: clientId, everywhere: true } });
    expect(logout.source_address).toMatch(LOOPBACK);
    // The grants of the session end with it, on the person's behalf.
    await eventually('grant.revoked', (e) => e.details.route === 'end_session_confirm' && e.actor === `user:${sub}`);
  });

  it('records a failed client authentication without the secret that was tried', async () => {
    const wrong = 'a-wrong-client-secret-that-must-not-be-stored';
    secrets.push(wrong);
    const machine = await sesame.container.clients.create({ client_name: 'Batch job', grant_types: ['client_credentials'] });
    secrets.push(machine.client_secret!);
    await expect(oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, wrong))).rejects.toThrow();

    const failure = await eventually('client.authentication_failed', (e) => e.target === `client:${machine.client_id}`);
    expect(failure).toMatchObject({ actor: 'anonymous', details: { endpoint: 'token', client_id: machine.client_id } });
    expect(failure.source_address).toMatch(LOOPBACK);
  });

  it('records every key state change of a rotation with kid and reason, and still records on the rebuilt provider', async () => {
    const before = await sesame.container.keys.list();
    const previous = sesame.holder.current();
    const changes = await sesame.container.keys.rotate({ force: true });
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) {
      const event = await eventually(KEY_ACTIONS[change.kind], (e) => e.target === `key:${change.kid}`);
      expect(event).toMatchObject({ actor: 'system', details: { kid: change.kid, alg: change.alg, reason: change.reason, forced: true } });
      expect(event.details.reason).toMatch(/rotation/);
    }
    expect((await events({ action: 'key.activated' })).map((e) => e.target)).toContain(`key:${before.find((k) => k.state === 'next')!.kid}`);

    // A key change builds a new provider (the instance may have heard of it already): its events are recorded too.
    await sesame.syncKeys();
    expect(sesame.holder.current()).not.toBe(previous);
    await expect(oidc.clientCredentialsGrant(await discover(sesame.issuer, 'no-such-client', 'whatever-secret'))).rejects.toThrow();
    await eventually('client.authentication_failed', (e) => e.target === 'client:no-such-client');

    // Revocation by someone named.
    const next = (await sesame.container.keys.list()).find((k) => k.state === 'next')!;
    await sesame.container.keys.revoke(next.kid, {}, { actor: `user:${sub}` });
    await eventually('key.revoked', (e) => e.target === `key:${next.kid}` && e.actor === `user:${sub}`);
  });

  it('records CLI changes with actor cli:<os user>; audit list shows them newest first and --since filters', async () => {
    // Every event so far is stamped before `since` (times are kept to the millisecond): the clock
    // first passes the newest of them.
    const newest = Math.max(0, ...(await events()).map((e) => Date.parse(e.at)));
    await expect.poll(() => Date.now()).toBeGreaterThan(newest);
    const since = new Date();
    const password = 'the CLI user password';
    secrets.push(password);

    const user = await cli(['users', 'create', '--email', 'grace@example.com', '--password-stdin', '--admin', '--json'], password);
    const client = await cli(['clients', 'create', '--name', 'CLI app', '--redirect-uri', 'https://app.example.com/cb', '--json']);
    const admin = await cli(['clients', 'create', '--admin', '--json']);
    const rotated = await cli(['clients', 'rotate-secret', client.json.client_id, '--json']);
    secrets.push(client.json.client_secret, admin.json.client_secret, rotated.json.client_secret);
    await cli(['clients', 'delete', client.json.client_id]);
    await cli(['users', 'delete', 'grace@example.com']);
    const keys = await cli(['keys', 'rotate', '--force', '--json']);

    const listed = (await cli(['audit', 'list', '--since', since.toISOString(), '--json'])).json as AuditEvent[];
    const expected = [
      ['user.created', `user:${user.json.sub}`],
      ['client.created', `client:${client.json.client_id}`],
      ['client.created', `client:${admin.json.client_id}`],
      ['client.secret_rotated', `client:${client.json.client_id}`],
      ['client.deleted', `client:${client.json.client_id}`],
      ['user.deleted', `user:${user.json.sub}`],
      ...(keys.json.changes as { kind: keyof typeof KEY_ACTIONS; kid: string }[]).map((c) => [KEY_ACTIONS[c.kind], `key:${c.kid}`]),
    ];
    const actor = cliBy().actor;
    for (const [action, target] of expected) {
      expect(listed, `${action} ${target}`).toContainEqual(expect.objectContaining({ actor, action, target }));
    }
    // Only what happened since: none of the sign-ins above, all of it from the CLI.
    expect(listed).toHaveLength(expected.length);
    expect(new Set(listed.map((e) => e.actor))).toEqual(new Set([actor]));
    const times = listed.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(listed.find((e) => e.action === 'user.created')!.details).toMatchObject({ email: 'grace@example.com', is_admin: true });
    expect(listed.find((e) => e.target === `client:${admin.json.client_id}`)!.details).toMatchObject({
      grant_types: ['client_credentials'],
      scope: 'admin',
    });

    // Everything with a duration; filtered by action; the table.
    const all = (await cli(['audit', 'list', '--since', '1h', '--limit', '500', '--json'])).json as AuditEvent[];
    expect(all.length).toBeGreaterThan(listed.length);
    expect(all.map((e) => e.action)).toContain('login.failed');
    const failures = (await cli(['audit', 'list', '--action', 'login.failed', '--json'])).json as AuditEvent[];
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures.map((e) => e.action))).toEqual(new Set(['login.failed']));
    const table = (await cli(['audit', 'list', '--limit', '3'])).stdout.split('\n');
    expect(table[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+SOURCE$/);
    expect(table[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+cli(:\S+)?\s+key\.\w+\s+key:\S+\s+-$/);
    expect(table).toHaveLength(3 + 1 + 1 + 1); // header, 3 rows, the "showing the newest" note, final newline
  });

  it('never stores a password, a client secret or a token in any audit row', async () => {
    const rows = await sesame.container.db.prisma.auditEvent.findMany();
    expect(rows.length).toBeGreaterThan(20);
    const actions = new Set(rows.map((r) => r.action));
    for (const action of ['login.failed', 'login.succeeded', 'consent.granted', 'token.revoked', 'grant.revoked', 'logout.succeeded']) {
      expect(actions).toContain(action);
    }
    expect(secrets.length).toBeGreaterThan(10);
    for (const row of rows) {
      const text = JSON.stringify(row);
      for (const secret of secrets) expect(text, `${row.action} holds a secret`).not.toContain(secret);
      expect(text).not.toMatch(/password|client_secret/i);
    }
  });
});

const KEY_ACTIONS = {
  activate: 'key.activated',
  reinstate: 'key.reinstated',
  retire: 'key.retired',
  create: 'key.created',
  revoke: 'key.revoked',
  delete: 'key.deleted',
} as const;
