// The CLI's user administration, run in-process against fresh SQLite and PostgreSQL databases:
// users update (email too), disable, enable, set-password (stdin), unlock, list with state,
// sessions list / revoke, clients update, and --version. Each: --json, a human line, exit 2 with
// one line on bad input. They call the same services as the admin API and the console, so the
// audit log shows the same records, by cli:<os user>.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { startTestSesame, TEST_SECRETS } from '../helpers/sesame.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PASSWORD = 'a long enough password';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

describe.each(PROVIDERS)('sesame CLI user administration on %s', (provider) => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    env = { DATABASE_URL: db.url, NODE_ENV: 'test', ...TEST_SECRETS };
  });
  afterAll(async () => db?.drop());

  async function sesame(argv: string[], stdin?: string): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env,
      cwd: ROOT,
      ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    });
    return { code, stdout, stderr, json: argv.includes('--json') && code === 0 ? JSON.parse(stdout) : undefined };
  }

  async function ok(argv: string[], stdin?: string): Promise<CliRun> {
    const run = await sesame(argv, stdin);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    return run;
  }

  async function badInput(argv: string[], mentions: RegExp, stdin?: string): Promise<void> {
    const run = await sesame(argv, stdin);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^sesame: [^\n]+\n$/);
    expect(run.stderr).toMatch(mentions);
  }

  /** The services on the same database, for what the CLI cannot show (a password, a lockout). */
  async function withContainer<T>(work: (c: Container) => Promise<T>): Promise<T> {
    const container = await createContainer(loadConfig(env), silentLogger);
    try {
      return await work(container);
    } finally {
      await container.close();
    }
  }

  it('prints the version from package.json, and help lists every command', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await ok(['--version'])).stdout).toBe(`sesame ${version}\n`);
    expect((await ok(['--version', '--json'])).json).toEqual({ version });
    await badInput(['--version', 'extra'], /--version takes no arguments/);
    const help = (await ok(['help'])).stdout;
    for (const command of [
      'users update EMAIL [--name N] [--email NEW]',
      'users disable EMAIL',
      'users enable EMAIL',
      'users set-password EMAIL',
      'users unlock EMAIL',
      'users list',
      'clients update',
      'sessions list --user EMAIL',
      'sessions revoke --user EMAIL (--session UID | --all)',
      '--version',
    ]) {
      expect(help).toContain(command);
    }
  });

  it('changes a user email (lower-cased, unique) along with the other fields', async () => {
    await ok(['users', 'create', '--email', 'old@example.com', '--password-stdin'], PASSWORD);
    await ok(['users', 'create', '--email', 'other@example.com', '--password-stdin'], PASSWORD);
    const changed = await ok(['users', 'update', 'old@example.com', '--email', 'New@Example.COM', '--name', 'Nu', '--admin', '--json']);
    expect(changed.json).toMatchObject({ email: 'new@example.com', name: 'Nu', is_admin: true, disabled: false });
    expect((await ok(['users', 'update', 'new@example.com', '--no-admin'])).stdout).toBe(`updated user new@example.com (sub ${changed.json.sub})\n`);

    await badInput(['users', 'update', 'new@example.com', '--email', 'OTHER@example.com'], /a user with email other@example\.com already exists/);
    await badInput(['users', 'update', 'new@example.com', '--email', 'not-an-email'], /is not a valid email address/);
    await badInput(['users', 'update', 'new@example.com', '--email', ''], /--email must not be empty/);
    await badInput(['users', 'update', 'old@example.com', '--name', 'X'], /no user with email old@example\.com/);
    const audit = await withContainer((c) => c.audit.list({ action: 'user.updated' }));
    expect(audit.events.at(-1)).toMatchObject({ actor: expect.stringMatching(/^cli/), details: { changed: ['email', 'is_admin', 'name'] } });
  });

  it('disables and enables a user, and lists their state', async () => {
    await ok(['users', 'create', '--email', 'switch@example.com', '--password-stdin', '--email-verified'], PASSWORD);
    const disabled = await ok(['users', 'disable', 'SWITCH@example.com', '--json']);
    expect(disabled.json).toMatchObject({ email: 'switch@example.com', disabled: true, revoked_sessions: 0, revoked_grants: 0 });
    expect(await withContainer((c) => c.accounts.authenticate('switch@example.com', PASSWORD))).toBeUndefined();

    const list = await ok(['users', 'list', '--json']);
    expect(list.json.find((u: { email: string }) => u.email === 'switch@example.com')).toMatchObject({ disabled: true, locked: false, email_verified: true });
    const table = (await ok(['users', 'list'])).stdout.split('\n');
    expect(table[0]).toMatch(/^EMAIL\s+NAME\s+SUB\s+CREATED\s+ADMIN\s+VERIFIED\s+STATE$/);
    expect(table.find((l) => l.startsWith('switch@example.com'))).toMatch(/ yes\s+disabled$/);

    expect((await ok(['users', 'enable', 'switch@example.com'])).stdout).toBe('enabled switch@example.com\n');
    expect(await withContainer((c) => c.accounts.authenticate('switch@example.com', PASSWORD))).toBeDefined();
    await badInput(['users', 'disable', 'nobody@example.com'], /no user with email nobody@example\.com/);
    await badInput(['users', 'disable'], /users disable needs EMAIL/);
    const actions = (await withContainer((c) => c.audit.list({ limit: 5 }))).events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it('sets a password read from stdin and never prints it', async () => {
    await ok(['users', 'create', '--email', 'pw@example.com', '--password-stdin'], PASSWORD);
    const set = await ok(['users', 'set-password', 'pw@example.com'], 'the new secret words\n');
    expect(set.stdout).toBe('set the password of pw@example.com\n');
    expect(set.stdout).not.toContain('secret words');
    expect(await withContainer((c) => c.accounts.authenticate('pw@example.com', 'the new secret words'))).toBeDefined();
    expect((await ok(['users', 'set-password', 'pw@example.com', '--json'], 'another new one')).json).toMatchObject({
      email: 'pw@example.com',
      password_set: true,
    });

    await badInput(['users', 'set-password', 'pw@example.com'], /empty password/, '\n');
    await badInput(['users', 'set-password', 'pw@example.com'], /at least/, 'short');
    await badInput(['users', 'set-password', 'pw@example.com', '--password', 'x'], /unknown option --password/, 'x');
    await badInput(['users', 'set-password', 'nobody@example.com'], /no user with email/, 'long enough password');
  });

  it('shows a lockout in the list and lifts it with unlock', async () => {
    await ok(['users', 'create', '--email', 'locked@example.com', '--password-stdin'], PASSWORD);
    await withContainer(async (c) => {
      for (let i = 0; i < 5; i++) await c.signInThrottle.failed('locked@example.com', `192.0.2.${i}`);
    });
    const list = await ok(['users', 'list', '--json']);
    expect(list.json.find((u: { email: string }) => u.email === 'locked@example.com')).toMatchObject({ locked: true, disabled: false });
    expect((await ok(['users', 'list'])).stdout).toMatch(/locked@example\.com .* locked\n/);
    expect((await ok(['users', 'unlock', 'locked@example.com'])).stdout).toBe('unlocked locked@example.com\n');
    expect((await ok(['users', 'list', '--json'])).json.find((u: { email: string }) => u.email === 'locked@example.com').locked).toBe(false);
  });

  it("lists a person's sessions and ends one, then all", async () => {
    await ok(['users', 'create', '--email', 'browser@example.com', '--password-stdin'], PASSWORD);
    // Two browser sessions, made by a real instance on this database (closed before the CLI runs:
    // one process never holds two connections to one SQLite file).
    const server = await startTestSesame({ provider, db });
    try {
      for (let i = 0; i < 2; i++) {
        const browser = new TestBrowser(server.issuer);
        const login = await browser.request('/admin');
        expect((await browser.submit(login, '/login', { email: 'browser@example.com', password: PASSWORD })).status).toBe(403);
      }
    } finally {
      await server.close();
    }

    const listed = await ok(['sessions', 'list', '--user', 'browser@example.com', '--json']);
    expect(listed.json.sessions).toHaveLength(2);
    expect(listed.json.grants.length).toBeGreaterThan(0);
    expect(listed.json.sessions[0]).toMatchObject({ uid: expect.any(String), client_ids: ['sesame-console'] });
    const human = (await ok(['sessions', 'list', '--user', 'browser@example.com'])).stdout;
    expect(human.split('\n')[0]).toMatch(/^SESSION\s+SIGNED IN\s+EXPIRES\s+APPS$/);
    expect(human).toContain(listed.json.sessions[0].uid);

    const uid = listed.json.sessions[0].uid as string;
    const one = await ok(['sessions', 'revoke', '--user', 'browser@example.com', '--session', uid, '--json']);
    expect(one.json).toMatchObject({ email: 'browser@example.com', revoked_sessions: 1 });
    await badInput(['sessions', 'revoke', '--user', 'browser@example.com', '--session', uid], /has no session/);
    const all = await ok(['sessions', 'revoke', '--user', 'browser@example.com', '--all']);
    expect(all.stdout).toMatch(/^ended 1 sessions and \d+ grants of browser@example\.com\n$/);
    expect((await ok(['sessions', 'list', '--user', 'browser@example.com'])).stdout).toBe('browser@example.com has no sessions\n');

    await badInput(['sessions', 'revoke', '--user', 'browser@example.com'], /needs either --session UID or --all/);
    await badInput(['sessions', 'revoke', '--user', 'browser@example.com', '--session', uid, '--all'], /needs either --session UID or --all/);
    await badInput(['sessions', 'list'], /sessions list needs --user/);
    await badInput(['sessions', 'list', '--user', 'ghost@example.com'], /no user with email ghost@example\.com/);
    const audit = await withContainer((c) => c.audit.list({ action: 'session.revoked' }));
    expect(audit.events[0]).toMatchObject({ actor: expect.stringMatching(/^cli/), details: { scope: 'all' } });
  });

  it('updates a client through the same schema as create', async () => {
    const created = await ok(['clients', 'create', '--name', 'Wiki', '--redirect-uri', 'https://wiki.example/cb', '--json']);
    const id = created.json.client_id as string;
    const updated = await ok(['clients', 'update', id, '--name', 'Wiki 2', '--redirect-uri', 'https://wiki.example/cb2', '--json']);
    expect(updated.json).toMatchObject({ client_id: id, client_name: 'Wiki 2', redirect_uris: ['https://wiki.example/cb2'] });
    await badInput(['clients', 'update', id, '--redirect-uri', 'http://wiki.example/cb'], /redirect/);
  });
});
