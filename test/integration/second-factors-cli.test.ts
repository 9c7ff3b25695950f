// `sesame users reset-mfa EMAIL` on SQLite and PostgreSQL: removes the person's authenticator app
// and recovery codes (audited as the CLI's), says so in JSON and in one line; an unknown email is
// bad input (exit 2).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_SECRETS } from '../helpers/sesame.js';
import { codeAt } from '../helpers/totp.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe.each(PROVIDERS)('sesame users reset-mfa on %s', (provider) => {
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

  it('removes the app and the recovery codes, audited; the person then needs only the password', async () => {
    const id = await withContainer(async ({ accounts, secondFactors }) => {
      const user = await accounts.create({ email: 'wren@example.com', password: 'velvet canyon echo 58' });
      const enrolment = (await secondFactors.startEnrolment(user.id))!;
      await secondFactors.confirmEnrolment(user.id, codeAt(enrolment.secret, 0), { actor: `user:${user.id}` });
      expect(await secondFactors.required(user.id)).toEqual(['totp', 'recovery_code']);
      return user.id;
    });

    const run = await cli(['users', 'reset-mfa', 'wren@example.com', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ email: 'wren@example.com', sub: id, totp: true, recovery_codes: 10 });
    const again = await cli(['users', 'reset-mfa', 'wren@example.com']);
    expect(again.stdout).toBe('wren@example.com had no authenticator app\n');
    const unknown = await cli(['users', 'reset-mfa', 'nobody@example.com']);
    expect(unknown.code).toBe(2);

    await withContainer(async ({ secondFactors, audit }) => {
      expect(await secondFactors.required(id)).toEqual([]);
      const reset = await audit.list({ action: 'user.second_factors_reset' });
      // Newest first: the second reset found nothing, the first removed the app and ten codes.
      expect(reset.events.map((e) => e.details)).toEqual([
        { email: 'wren@example.com', totp: false, recovery_codes: 0 },
        { email: 'wren@example.com', totp: true, recovery_codes: 10 },
      ]);
      expect(reset.events.every((e) => e.target === `user:${id}` && e.actor.startsWith('cli'))).toBe(true);
    });
  });
});
