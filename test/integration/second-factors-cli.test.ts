// `sesame users factors EMAIL` and `sesame users reset-mfa EMAIL` on SQLite and PostgreSQL: lists
// the person's authenticator app, recovery codes left and passkeys; the reset removes the app, the
// recovery codes and the passkeys (audited as the CLI's), says so in JSON and in one line; an
// unknown email is bad input (exit 2).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_SECRETS } from '../helpers/sesame.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { codeAt } from '../helpers/totp.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe.each(PROVIDERS)('sesame users factors and reset-mfa on %s', (provider) => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    env = { DATABASE_URL: db.url, NODE_ENV: 'test', ...TEST_SECRETS };
  });
  afterAll(async () => db?.drop());

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env, cwd: ROOT });
    return { code, stdout, stderr };
  }

  /** A container on the test database for the length of `work` (one connection at a time). */
  async function withContainer<T>(work: (c: Awaited<ReturnType<typeof createContainer>>) => Promise<T>): Promise<T> {
    const container = await createContainer(loadConfig({ ...env, ISSUER: 'http://localhost:3000' }), silentLogger);
    try {
      return await work(container);
    } finally {
      await container.close();
    }
  }

  it('lists the factors, then removes the app, the recovery codes and the passkeys, audited; the person then needs only the password', async () => {
    const { id, keyId } = await withContainer(async ({ accounts, secondFactors, passkeys }) => {
      const user = await accounts.create({ email: 'wren@example.com', password: 'velvet canyon echo 58' });
      const enrolment = (await secondFactors.startEnrolment(user.id))!;
      await secondFactors.confirmEnrolment(user.id, codeAt(enrolment.secret, 0), { actor: `user:${user.id}` });
      expect(await secondFactors.required(user.id)).toEqual(['totp', 'recovery_code']);
      const authenticator = new SoftAuthenticator('http://localhost:3000');
      const { token, options } = await passkeys.startRegistration(user);
      const passkey = await passkeys.finishRegistration(user, token, JSON.stringify(authenticator.register(options)), 'Yubi', { actor: `user:${user.id}` });
      return { id: user.id, keyId: passkey.id };
    });

    const listed = await cli(['users', 'factors', 'wren@example.com', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      email: 'wren@example.com',
      sub: id,
      totp: { confirmed_at: expect.any(String) },
      totp_enrolling: false,
      recovery_codes_left: 10,
      passkeys: [{ id: keyId, name: 'Yubi', synced: false, created_at: expect.any(String), last_used_at: null }],
    });
    const human = await cli(['users', 'factors', 'wren@example.com']);
    expect(human.stdout).toMatch(/authenticator app:\s+on since \d{4}-/);
    expect(human.stdout).toMatch(/recovery codes left:\s+10/);
    expect(human.stdout).toMatch(/NAME\s+KIND\s+ADDED\s+LAST USED\nYubi\s+one device\s+\S+\s+-/);

    const run = await cli(['users', 'reset-mfa', 'wren@example.com', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ email: 'wren@example.com', sub: id, totp: true, recovery_codes: 10, passkeys: [{ id: keyId, name: 'Yubi' }] });
    const again = await cli(['users', 'reset-mfa', 'wren@example.com']);
    expect(again.stdout).toBe('wren@example.com had no second factors\n');
    const none = await cli(['users', 'factors', 'wren@example.com']);
    expect(none.stdout).toMatch(/authenticator app:\s+off\n/);
    expect(none.stdout).toMatch(/passkeys:\s+0\n$/);
    const unknown = await cli(['users', 'reset-mfa', 'nobody@example.com']);
    expect(unknown.code).toBe(2);
    expect((await cli(['users', 'factors', 'nobody@example.com'])).code).toBe(2);

    await withContainer(async ({ secondFactors, audit, passkeys, accounts }) => {
      expect(await secondFactors.required(id)).toEqual([]);
      expect(await passkeys.list(id)).toEqual([]);
      expect(await accounts.authenticate('wren@example.com', 'velvet canyon echo 58')).toMatchObject({ accountId: id });
      const reset = await audit.list({ action: 'user.second_factors_reset' });
      // Newest first: the second reset found nothing, the first removed the app, ten codes and the passkey.
      expect(reset.events.map((e) => e.details)).toEqual([
        { email: 'wren@example.com', totp: false, recovery_codes: 0, webauthn_keys: [] },
        { email: 'wren@example.com', totp: true, recovery_codes: 10, webauthn_keys: [{ key_id: keyId, name: 'Yubi' }] },
      ]);
      expect(reset.events.every((e) => e.target === `user:${id}` && e.actor.startsWith('cli'))).toBe(true);
    });
  });
});
