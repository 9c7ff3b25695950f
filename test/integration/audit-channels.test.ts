// The same change made through the CLI, the admin API and the console writes the same audit
// record: action, target and details identical, only who acted and from where differ. The
// services record their own changes; the channels only say who is asking.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBy } from '../../src/cli/actor.js';
import { runCli } from '../../src/cli/run.js';
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please' };
const PERSON = { email: 'pat@example.com', password: 'just a regular person' };
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

type Channel = 'cli' | 'api' | 'console';
const CHANNELS: Channel[] = ['cli', 'api', 'console'];

describe.each(PROVIDERS)('one audit record per change, whichever channel makes it, on %s', (provider) => {
  let sesame: TestSesame;
  let apiToken: string;
  let apiClientId: string;
  let adminId: string;
  let browser: TestBrowser;
  let consolePage: Page;

  async function cli(...argv: string[]): Promise<{ client_id: string; client_secret?: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli([...argv, '--json'], {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ...TEST_SECRETS },
    });
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout) as { client_id: string; client_secret?: string };
  }

  async function api(method: string, path: string): Promise<void> {
    const response = await fetch(new URL(`/admin/api/v1${path}`, sesame.issuer), { method, headers: { authorization: `Bearer ${apiToken}` } });
    expect(response.status, await response.text()).toBeLessThan(300);
  }

  /** A console form post from the page that shows it (the form carries its CSRF token). */
  async function consolePost(pagePath: string, action: string): Promise<void> {
    const page = await browser.request(pagePath);
    consolePage = await browser.submit(page, action);
    expect(consolePage.status).toBeLessThan(300);
  }

  /** The one record of `action` on `target` that is not among `earlier`: each change writes exactly one. */
  async function recorded(action: string, target: string, earlier: AuditEvent[]): Promise<AuditEvent> {
    const { events } = await sesame.container.audit.list({ action, limit: 500 });
    const added = events.filter((e) => e.target === target && !earlier.some((seen) => seen.id === e.id));
    expect(added, `${action} on ${target}`).toHaveLength(1);
    return added[0]!;
  }

  /** Who each channel is in the log, and from where. */
  const who = (channel: Channel) =>
    ({
      cli: { actor: cliBy().actor, source_address: null },
      api: { actor: `client:${apiClientId}`, source_address: expect.stringMatching(LOOPBACK) },
      console: { actor: `user:${adminId}`, source_address: expect.stringMatching(LOOPBACK) },
    })[channel];

  /** Action, target and details: the record apart from who acted, from where and when. */
  const what = ({ action, target, details }: AuditEvent) => ({ action, target, details });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    adminId = (await sesame.container.accounts.create({ ...ADMIN, isAdmin: true, emailVerified: true })).id;
    await sesame.container.accounts.create(PERSON);

    // The admin API's caller: a machine client made the way an operator makes one.
    const machine = await cli('clients', 'create', '--admin');
    apiClientId = machine.client_id;
    apiToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;

    // The console's: an admin signed in through Sesame's own pages (first-party: no consent).
    browser = new TestBrowser(sesame.issuer);
    const login = await browser.request('/admin');
    consolePage = await browser.submit(login, '/login', ADMIN);
    expect(new URL(consolePage.url).pathname).toBe('/admin');
  });
  afterAll(async () => sesame?.close());

  it("rotating a client's secret", async () => {
    const { client_id: id } = await cli('clients', 'create', '--admin');
    const records: AuditEvent[] = [];
    for (const channel of CHANNELS) {
      if (channel === 'cli') await cli('clients', 'rotate-secret', id);
      if (channel === 'api') await api('POST', `/clients/${id}/rotate-secret`);
      if (channel === 'console') await consolePost(`/admin/clients/${id}`, `/admin/clients/${id}/rotate-secret`);
      const record = await recorded('client.secret_rotated', `client:${id}`, records);
      expect(record, channel).toMatchObject(who(channel));
      records.push(record);
    }
    expect(records[0]).toMatchObject({ details: { client_name: 'Sesame admin' } });
    expect(records.map(what)).toEqual([what(records[0]!), what(records[0]!), what(records[0]!)]);
  });

  it("lifting a person's sign-in lockout", async () => {
    const person = (await sesame.container.accounts.findByEmail(PERSON.email))!;
    const records: AuditEvent[] = [];
    for (const channel of CHANNELS) {
      // Locked from several addresses, so that only the account is locked.
      for (let i = 0; i < sesame.container.config.throttle.loginMaxFailures; i++) await sesame.container.signInThrottle.failed(PERSON.email, `192.0.2.${i}`);
      expect(await sesame.container.signInThrottle.accountLockedFor(PERSON.email)).toBeGreaterThan(0);
      if (channel === 'cli') await cli('users', 'unlock', PERSON.email);
      if (channel === 'api') await api('POST', `/users/${person.id}/unlock`);
      if (channel === 'console') await consolePost('/admin/users', `/admin/users/${person.id}/unlock`);
      expect(await sesame.container.signInThrottle.accountLockedFor(PERSON.email), channel).toBe(0);
      const record = await recorded('user.unlocked', `user:${person.id}`, records);
      expect(record, channel).toMatchObject(who(channel));
      records.push(record);
    }
    expect(records[0]).toMatchObject({ details: { email: PERSON.email, was_locked: true } });
    expect(records.map(what)).toEqual([what(records[0]!), what(records[0]!), what(records[0]!)]);
  });

  it('deleting a client (three registered alike: the target is each its own)', async () => {
    const records: AuditEvent[] = [];
    for (const channel of CHANNELS) {
      const { client_id: id } = await cli('clients', 'create', '--admin');
      if (channel === 'cli') await cli('clients', 'delete', id);
      if (channel === 'api') await api('DELETE', `/clients/${id}`);
      if (channel === 'console') await consolePost(`/admin/clients/${id}/delete`, `/admin/clients/${id}/delete`);
      await expect(sesame.container.clients.get(id), channel).rejects.toThrow(/no client/);
      const record = await recorded('client.deleted', `client:${id}`, records);
      expect(record, channel).toMatchObject(who(channel));
      records.push(record);
    }
    const details = records.map((r) => r.details);
    expect(details[0]).toEqual({
      client_name: 'Sesame admin',
      public: false,
      grant_types: ['client_credentials'],
      scope: 'admin',
      redirect_uris: [],
      resource_server: false,
    });
    expect(details).toEqual([details[0], details[0], details[0]]);
  });
});
