// A change made anywhere takes effect on every instance within a second (issue 11), even though
// clients and accounts are cached in memory: on PostgreSQL by LISTEN/NOTIFY (with the poll behind
// it when the listener's connection drops), on SQLite by the poll, when the CLI makes the change
// from another process. The same channel carries key changes, so a revoked key stops signing
// everywhere at once rather than at the next KEY_SYNC_INTERVAL.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChangeWatcher } from '../../src/change-watcher.js';
import { silentLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { discover, discoverVia, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';
import { within } from '../helpers/within.js';

const ROOT = join(import.meta.dirname, '..', '..');
const USER = { email: 'ada@example.com', password: 'a long enough password' };

const accepted = (config: oidc.Configuration) =>
  oidc.clientCredentialsGrant(config).then(
    () => true,
    () => false,
  );

describe.runIf(TEST_DATABASE_URL)('two instances on one PostgreSQL database', () => {
  let a: TestSesame;
  let b: TestSesame;

  beforeAll(async () => {
    a = await startTestSesame({ provider: 'postgresql' });
    // B answers for A's issuer, as instances behind one load balancer do.
    b = await startTestSesame({ db: a.db, env: { ISSUER: a.issuer } });
    await a.container.accounts.create(USER);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  async function clientViaB(grants: ('authorization_code' | 'refresh_token' | 'client_credentials')[] = ['client_credentials']) {
    const redirects = grants.includes('authorization_code') ? { redirect_uris: [REDIRECT_URI] } : {};
    const client = await a.container.clients.create({ client_name: 'Shared', ...redirects, grant_types: grants });
    return { client, viaB: await discoverVia(a.issuer, b.url, client.client_id, client.client_secret) };
  }

  /** Signs in at A (the issuer's address, where the browser's cookies are) and redeems the code at B. */
  async function tokensViaB(viaB: oidc.Configuration, params: Record<string, string>, person = USER) {
    const viaA = await discover(a.issuer, viaB.clientMetadata().client_id, viaB.clientMetadata().client_secret as string);
    const start = await startAuthorization(viaA, params);
    return exchange(viaB, await signIn(new TestBrowser(a.issuer), start, person), start);
  }

  it('delivers an announcement to a listener on another connection at once, not at the next poll', async () => {
    const heard: string[] = [];
    const stop = await b.container.changes.listen(
      (topic) => heard.push(topic),
      () => {},
    );
    try {
      const before = await b.container.changes.versions();
      await a.container.changes.announce('accounts');
      await within(500, async () => heard.includes('accounts'));
      expect((await b.container.changes.versions()).get('accounts')).toBe((before.get('accounts') ?? 0) + 1);
    } finally {
      await stop();
    }
  });

  it('acts on each change once, at the notification, though the poll sees the counter move too', async () => {
    const acted: string[] = [];
    const handlers = { clients: () => void acted.push('clients'), accounts: () => void acted.push('accounts'), keys: () => void acted.push('keys') };
    // A poll interval far beyond the test: only the notification can make it act in time.
    const watcher = await startChangeWatcher({ feed: b.container.changes, handlers, pollIntervalMs: 60_000, log: silentLogger });
    try {
      await a.container.changes.announce('clients');
      await within(500, async () => acted.includes('clients'));
      await watcher.poll(); // what the timer would do next: the change was already acted on
      expect(acted.filter((topic) => topic === 'clients')).toEqual(['clients']);
    } finally {
      await watcher.stop();
    }
  });

  it('a secret rotated on one instance stops working on the other within a second', async () => {
    const { client, viaB } = await clientViaB();
    expect(await accepted(viaB)).toBe(true); // B has the client (and its secret) in memory now
    const rotated = await a.container.clients.rotateSecret(client.client_id);
    const ms = await within(1_000, async () => !(await accepted(viaB)));
    const withNew = await discoverVia(a.issuer, b.url, client.client_id, rotated.client_secret);
    expect(await accepted(withNew)).toBe(true);
    expect(ms).toBeLessThan(1_000);
  });

  it('a client deleted on one instance is unknown to the other within a second', async () => {
    const { client, viaB } = await clientViaB();
    expect(await accepted(viaB)).toBe(true);
    await a.container.clients.delete(client.client_id);
    expect(await within(1_000, async () => !(await accepted(viaB)))).toBeLessThan(1_000);
  });

  it('an account changed on one instance is seen by the other within a second', async () => {
    const { viaB } = await clientViaB(['authorization_code', 'refresh_token']);
    const tokens = await tokensViaB(viaB, { scope: 'openid profile' });
    const name = async () => (await oidc.fetchUserInfo(viaB, tokens.access_token, oidc.skipSubjectCheck)).name;
    expect(await name()).toBeUndefined(); // cached on B without a name
    const user = await a.container.accounts.findByEmail(USER.email);
    await a.container.accounts.update(user!.id, { name: 'Ada Lovelace' });
    expect(await within(1_000, async () => (await name()) === 'Ada Lovelace')).toBeLessThan(1_000);
  });

  it('a person disabled on one instance can no longer use their tokens on the other within a second', async () => {
    const person = await a.container.accounts.create({ email: 'disabled@example.com', password: 'a long enough password' });
    const { viaB } = await clientViaB(['authorization_code', 'refresh_token']);
    const tokens = await tokensViaB(viaB, { scope: 'openid profile' }, { email: 'disabled@example.com', password: 'a long enough password' });
    const works = () =>
      oidc.fetchUserInfo(viaB, tokens.access_token, oidc.skipSubjectCheck).then(
        () => true,
        () => false,
      );
    expect(await works()).toBe(true); // the account is cached on B
    await a.container.accounts.setDisabled(person.id, true);
    expect(await within(1_000, async () => !(await works()))).toBeLessThan(1_000);
  });

  it('a key revoked on one instance stops signing on the other within a second', async () => {
    const { viaB } = await clientViaB(['authorization_code', 'refresh_token']);
    const tokens = await tokensViaB(viaB, { scope: 'openid offline_access', prompt: 'consent' });
    const { kid } = decodeProtectedHeader(tokens.id_token!);
    const published = async () => ((await (await fetch(`${b.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(await published()).toContain(kid);

    await a.container.keys.revoke(kid!);
    const ms = await within(1_000, async () => !(await published()).includes(kid!));
    expect(ms).toBeLessThan(1_000);
    const refreshed = await oidc.refreshTokenGrant(viaB, tokens.refresh_token!);
    expect(decodeProtectedHeader(refreshed.id_token!).kid).not.toBe(kid);
  });

  it('when the listening connection drops, the poll carries the change and the instance listens again', async () => {
    const { client, viaB } = await clientViaB();
    expect(await accepted(viaB)).toBe(true);
    const admin = new pg.Client({ connectionString: a.db.url });
    await admin.connect();
    try {
      const listeners = async () =>
        Number(
          (await admin.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN sesame_changes'`)).rows[0].n,
        );
      expect(await listeners()).toBe(2);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN sesame_changes'`);
      await within(1_000, async () => (await listeners()) === 0);

      await a.container.clients.rotateSecret(client.client_id);
      // The poll runs every second: the change is in force within one poll and the read after it.
      expect(await within(1_500, async () => !(await accepted(viaB)))).toBeLessThan(1_500);
      // Both listen again (after a short pause, so a database that is down is not hammered).
      await within(10_000, async () => (await listeners()) === 2);
    } finally {
      await admin.end();
    }
  }, 20_000);
});

describe('on SQLite, a change the CLI makes from another process', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ provider: 'sqlite' });
  });
  afterAll(async () => sesame?.close());

  it('reaches the running instance at its next poll (within a second and a half)', async () => {
    expect(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')), 'build first: npm run build').toBe(true);
    const client = await sesame.container.clients.create({ client_name: 'Machine', grant_types: ['client_credentials'] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    expect(await accepted(config)).toBe(true);

    const rotated = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'sesame.js'), 'clients', 'rotate-secret', client.client_id], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: sesame.db.url, ...TEST_SECRETS },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(await within(1_500, async () => !(await accepted(config)))).toBeLessThan(1_500);
  });
});
