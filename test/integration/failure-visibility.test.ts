// Failures an operator must see: an unexpected error is logged once, at error level, with its
// stack and where it happened (never shown to the browser), and /readyz fails when the database
// answers but cannot take writes (it used to say "ready" while every sign-in failed).
import { chmodSync, chownSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { startInstance, stopInstance } from '../helpers/instances.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

interface LogLine {
  level: string;
  msg: string;
  method?: string;
  path?: string;
  route?: string;
  err?: { name: string; message: string; stack?: string };
}

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

describe.each(PROVIDERS)('unexpected errors on %s', (provider) => {
  const lines: LogLine[] = [];
  let sesame: TestSesame;
  beforeAll(async () => {
    const log = createLogger('error', (line) => lines.push(JSON.parse(line) as LogLine));
    sesame = await startTestSesame({ provider, log });
  });
  afterAll(async () => sesame?.close());

  it('are logged once with their stack and route, and answered with a plain 500 page', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Broken', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request((await startAuthorization(config)).url.toString());
    expect(login.html).toContain('name="password"');

    // The table behind sessions, interactions and tokens disappears under the running instance.
    await sesame.container.db.prisma.$executeRawUnsafe('DROP TABLE "oidc_payload"');

    // Our route: the login page reads the interaction.
    const page = await browser.request(login.url);
    expect(page.status).toBe(500);
    expect(page.html).toContain('Sesame could not finish this request');
    expect(page.html).not.toMatch(STACK_FRAME);
    const ours = lines.filter((l) => l.path === new URL(login.url).pathname);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ level: 'error', msg: 'request failed', method: 'GET', route: '/interaction/:uid' });
    expect(ours[0]!.err!.stack).toMatch(STACK_FRAME);

    // The provider's route: /auth stores an interaction. oidc-provider answers server_error.
    const auth = await new TestBrowser(sesame.issuer).request((await startAuthorization(config)).url.toString());
    expect(auth.status).toBe(500);
    expect(auth.html).toContain('Sesame could not finish this request');
    expect(auth.html).not.toMatch(STACK_FRAME);
    const theirs = lines.filter((l) => l.path === '/auth');
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ level: 'error', msg: 'provider request failed', method: 'GET', route: 'authorization' });
    expect(theirs[0]!.err!.stack).toMatch(STACK_FRAME);
    expect(lines.every((l) => l.level === 'error')).toBe(true);

    // And the instance says it cannot serve.
    const ready = await fetch(`${sesame.issuer}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database not writable' });
  });
});

describe('readiness on a read-only SQLite file', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    // One earlier start on the same settings made the keys and the console client: starting
    // again needs no write. The issuer is fixed (the instances take any free port), as the
    // console client's URIs follow it; nothing here goes through it.
    env = { DATABASE_URL: db.url, ...TEST_SECRETS, ISSUER: 'https://sesame.example.test' };
    await stopInstance(await startInstance(env));
  }, 60_000);
  afterAll(async () => db?.drop());

  it('answers 503 "database not writable" while the file is read-only', async () => {
    if (db.config.provider !== 'sqlite') throw new Error('expected SQLite');
    // Root writes to read-only files anyway: the instance runs as nobody, as a service user would.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    if (user) {
      chownSync(dirname(db.config.file), user.uid, user.gid);
      chownSync(db.config.file, user.uid, user.gid);
    }
    chmodSync(db.config.file, 0o444);
    // nobody must reach dist/ and node_modules: a checkout under a private folder (mktemp -d is
    // 0700) gets others' traverse bit on its way for the test's length.
    const restore = user ? letOthersTraverse(process.cwd()) : () => {};
    try {
      const instance = await startInstance(env, { until: 'up', ...(user ? { user } : {}) });
      try {
        const ready = await fetch(`${instance.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database not writable' });
        expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
      } finally {
        await stopInstance(instance);
      }
    } finally {
      restore();
    }
  });
});

/** Adds the others' execute bit to `dir` and each folder above it that lacks it; returns the undo. */
function letOthersTraverse(dir: string): () => void {
  const changed: [string, number][] = [];
  for (let folder = dir; ; folder = dirname(folder)) {
    const { mode } = statSync(folder);
    if ((mode & 0o001) === 0) {
      changed.push([folder, mode & 0o7777]);
      chmodSync(folder, (mode & 0o7777) | 0o001);
    }
    if (dirname(folder) === folder) break;
  }
  return () => {
    for (const [folder, mode] of changed) chmodSync(folder, mode);
  };
}

describe.runIf(TEST_DATABASE_URL)('readiness on a read-only PostgreSQL database', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ provider: 'postgresql' });
  });
  afterAll(async () => sesame?.close());

  /** Sets default_transaction_read_only for the database and ends its sessions so new ones take it. */
  async function readOnly(on: boolean): Promise<void> {
    const name = new URL(sesame.db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${name}" ${on ? 'SET default_transaction_read_only = on' : 'RESET default_transaction_read_only'}`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    } finally {
      await admin.end();
    }
  }

  /** /readyz's answer once it settles (the first probe after the sessions ended may see them go). */
  async function readiness(expected: number): Promise<{ status: number; body: unknown }> {
    let last = { status: 0, body: undefined as unknown };
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${sesame.issuer}/readyz`);
      last = { status: response.status, body: await response.json() };
      if (last.status === expected && (expected === 200 || (last.body as { reason?: string }).reason === 'database not writable')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return last;
  }

  it('answers 503 "database not writable" while transactions are read-only, and ready again after', async () => {
    expect((await fetch(`${sesame.issuer}/readyz`)).status).toBe(200);
    await readOnly(true);
    expect(await readiness(503)).toEqual({ status: 503, body: { status: 'unavailable', reason: 'database not writable' } });
    await readOnly(false);
    expect(await readiness(200)).toEqual({ status: 200, body: { status: 'ready' } });
  });
});
