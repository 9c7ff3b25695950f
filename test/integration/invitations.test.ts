// Invitations: an admin adds a person without a password (CLI and admin API, one service), the
// person gets a mail (a real SMTP server in the test process), chooses a password on the page its
// link opens, and signs in. On SQLite and PostgreSQL. Also: with mail off nothing pretends to work.
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { createLogger } from '../../src/logger.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../helpers/mailbox.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const PASSWORD = 'correct horse battery 42';

function invitationLink(mail: ReceivedMail): string {
  const link = mail.links.find((l) => l.includes('/invitation?token='));
  if (!link) throw new Error(`no invitation link in:\n${mail.text}`);
  return link;
}

async function accept(issuer: string, link: string, password = PASSWORD): Promise<Page> {
  const browser = new TestBrowser(issuer);
  const page = await browser.request(link);
  if (page.status !== 200) return page;
  expect(page.url).toBe(`${issuer}/invitation`);
  expect(page.html).toContain('Choose your password');
  expect(page.html).toContain('>New password</label>');
  expect(page.html).toContain('>Confirm new password</label>');
  expect(page.html).toContain('>Set password</button>');
  return browser.submit(page, '/invitation', { password, confirm: password });
}

describe.each(PROVIDERS)('invitations on %s', (provider) => {
  let mailbox: Mailbox;
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let adminToken: string;

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { NODE_ENV: 'test', DATABASE_URL: sesame.db.url, ISSUER: sesame.issuer, SMTP_URL: mailbox.url, ...TEST_SECRETS },
    });
    return { code, stdout, stderr };
  }

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(new URL(`/admin/api/v1${path}`, sesame.issuer), {
      method,
      headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  }

  async function signsIn(email: string, password = PASSWORD) {
    const start = await startAuthorization(config, { scope: 'openid email' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, { email, password }), start);
    return tokens.claims()!;
  }

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ provider, env: { SMTP_URL: mailbox.url } });
    const client = await sesame.container.clients.create({ client_name: 'Invited app', redirect_uris: [REDIRECT_URI] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const machine = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'], scope: 'admin' });
    const machineConfig = await discover(sesame.issuer, machine.client_id, machine.client_secret);
    adminToken = (await oidc.clientCredentialsGrant(machineConfig, { scope: 'admin' })).access_token;
  });
  afterAll(async () => {
    await sesame?.close();
    await mailbox?.close();
  });

  it('sesame users invite: a mail with a 7-day link; the person chooses a password and signs in, their email verified', async () => {
    const email = 'invited-cli@example.com';
    const result = await cli('users', 'invite', '--email', email, '--name', 'Grace <Hopper>', '--json');
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ email, name: 'Grace <Hopper>', email_verified: false, is_admin: false, resent: false });
    expect(Date.parse(json.invitation_expires_at) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);

    const mail = await mailbox.next(email, { since: 0 });
    expect(mail.subject).toBe('Your Sesame account is ready');
    expect(mail.text).toContain('7 days');
    const link = invitationLink(mail);
    expect(link.startsWith(`${sesame.issuer}/invitation?token=`)).toBe(true);

    // Not before they accept.
    expect(await sesame.container.accounts.authenticate(email, PASSWORD)).toBeUndefined();
    const done = await accept(sesame.issuer, link);
    expect(done.status).toBe(200);
    expect(done.html).toContain('Welcome to Sesame');
    const claims = await signsIn(email);
    expect(claims).toMatchObject({ sub: json.sub, email, email_verified: true });

    // Once only.
    const again = await accept(sesame.issuer, link);
    expect(again.status).toBe(410);
    expect(again.html).toContain('Invitation expired');

    const { events } = await sesame.container.audit.list({ limit: 100 });
    const mine = events.filter((e) => e.target === `user:${json.sub}`);
    expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['user.invited', 'user.invitation_sent', 'user.invitation_accepted']));
    expect(mine.find((e) => e.action === 'user.invited')!.actor).toMatch(/^cli/);
    expect(JSON.stringify(events)).not.toContain(new URL(link).searchParams.get('token')!);

    // Someone with a password is not invited again.
    const conflict = await cli('users', 'invite', '--email', email);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('already chosen a password');
  });

  it('sesame users invite again, before they accepted: a new link, and the older one stops working', async () => {
    const email = 'invited-twice@example.com';
    expect((await cli('users', 'invite', '--email', email, '--admin')).code).toBe(0);
    const first = invitationLink(await mailbox.next(email, { since: 0 }));
    const again = await cli('users', 'invite', '--email', email, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ resent: true, is_admin: true });
    const second = invitationLink(await mailbox.next(email, { since: 1 }));
    expect((await accept(sesame.issuer, first)).status).toBe(410);
    expect((await accept(sesame.issuer, second)).status).toBe(200);
    await signsIn(email);
  });

  it('the admin API invites (201, Location), sends again (the older link void), and refuses to once a password is set', async () => {
    const email = 'invited-api@example.com';
    const created = await api('POST', '/users/invitations', { email, name: 'Api Person', locale: 'de' });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json).toMatchObject({ user: { email, name: 'Api Person', email_verified: false }, expires_at: expect.any(String) });
    const id = created.json.user.id as string;
    expect(created.headers.get('location')).toBe(`/admin/api/v1/users/${id}`);
    const first = await mailbox.next(email, { since: 0 });
    expect(first.subject).toBe('Ihr Sesame-Konto ist bereit');

    expect((await api('POST', '/users/invitations', { email })).status).toBe(409);
    const resent = await api('POST', `/users/${id}/invitation`);
    expect(resent.status, JSON.stringify(resent.json)).toBe(200);
    const second = await mailbox.next(email, { since: 1 });
    expect(second.subject).toBe('Your Sesame account is ready');
    expect((await accept(sesame.issuer, invitationLink(first))).status).toBe(410);
    // A refused password leaves the link usable.
    const browser = new TestBrowser(sesame.issuer);
    const page = await browser.request(invitationLink(second));
    const weak = await browser.submit(page, '/invitation', { password: 'short', confirm: 'short' });
    expect(weak.status).toBe(400);
    expect((await browser.submit(weak, '/invitation', { password: PASSWORD, confirm: PASSWORD })).status).toBe(200);
    expect(await signsIn(email)).toMatchObject({ email_verified: true });

    const refused = await api('POST', `/users/${id}/invitation`);
    expect(refused.status).toBe(409);
    expect((await api('POST', '/users/not-a-user/invitation')).status).toBe(404);
    expect((await api('POST', '/users/invitations', { email: 'not an email' })).status).toBe(422);
  });

  it('describes both routes in the OpenAPI document', async () => {
    const doc = await (await fetch(new URL('/admin/api/v1/openapi.json', sesame.issuer))).json();
    expect(doc.paths['/users/invitations'].post.operationId).toBe('inviteUser');
    expect(doc.paths['/users/{user_id}/invitation'].post.responses).toHaveProperty('503');
  });
});

describe('with mail off (production without SMTP_URL)', () => {
  let sesame: TestSesame;
  // Production refuses the test fixtures' secrets (they do not look random).
  const secrets = { KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64'), COOKIE_KEYS: randomBytes(32).toString('base64') };
  const logged: { level?: string; msg?: string }[] = [];
  beforeAll(async () => {
    const log = createLogger('info', (line) => logged.push(JSON.parse(line) as { level?: string; msg?: string }));
    sesame = await startTestSesame({ env: { NODE_ENV: 'production', SIGNUP: 'open', ...secrets }, log });
  });
  afterAll(async () => sesame?.close());

  it('says so at start-up, in a warning naming what is off and SMTP_URL', () => {
    const warnings = logged.filter((line) => line.level === 'warn').map((line) => line.msg ?? '');
    expect(warnings).toContainEqual(expect.stringMatching(/^mail is off \(SMTP_URL is not set\): password reset, invitations, email verification and sign-up/));
    expect(warnings).toContainEqual(expect.stringContaining('SIGNUP=open but mail is off'));
  });

  it('hides "Forgot password?", says reset is not available, and refuses invitations with a 503 / exit 1', async () => {
    const client = await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request((await startAuthorization(config)).url.toString());
    expect(login.html).toContain('name="password"');
    expect(login.html).not.toContain('Forgot password?');
    const forgot = await browser.request('/forgot-password');
    expect(forgot.html).toContain('Password reset is not available');
    expect(forgot.html).not.toContain('Send reset link');

    let stderr = '';
    const code = await runCli(['users', 'invite', '--email', 'nobody@example.com'], {
      stdout: () => {},
      stderr: (s) => void (stderr += s),
      env: { NODE_ENV: 'production', DATABASE_URL: sesame.db.url, ISSUER: sesame.issuer, ...secrets },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('SMTP_URL');
    expect(await sesame.container.accounts.findByEmail('nobody@example.com')).toBeUndefined();
  });
});
