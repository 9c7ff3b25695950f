// Key rotation when things go wrong, against real servers and databases: an instance missing the
// secret its keys are sealed with, a key table it cannot read, a revoked active key with a young
// next key, an algorithm taken out of SIGNING_ALGS, and a fast local clock.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { ConflictError } from '../../src/domain/errors.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { startSesame } from '../../src/server.js';
import { TestBrowser } from '../helpers/browser.js';
import { advanceClock, useTestClock } from '../helpers/clock.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const OLD = TEST_SECRETS.KEY_ENCRYPTION_SECRET;
const NEW = 'a-new-key-encryption-secret-0123456789abcdef';
const USER = { email: 'kim@example.com', password: 'a long enough password' };

const running: TestSesame[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(databases.splice(0).map((d) => d.drop()));
  vi.useRealTimers();
});

async function start(options: Parameters<typeof startTestSesame>[0]): Promise<TestSesame> {
  const sesame = await startTestSesame(options);
  running.push(sesame);
  return sesame;
}

/** A user, a client and an RP signed in with a refresh token, to ask for fresh ID tokens. */
async function signedInRp(sesame: TestSesame) {
  if (!(await sesame.container.accounts.findByEmail(USER.email))) await sesame.container.accounts.create(USER);
  const client = await sesame.container.clients.create({ client_name: 'RP', redirect_uris: [REDIRECT_URI] });
  const config = await discover(sesame.issuer, client.client_id, client.client_secret);
  const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
  let refreshToken = (await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start)).refresh_token!;
  return {
    clientId: client.client_id,
    clientSecret: client.client_secret!,
    async idToken(via: oidc.Configuration = config): Promise<string> {
      const tokens = await oidc.refreshTokenGrant(via, refreshToken);
      refreshToken = tokens.refresh_token!;
      return tokens.id_token!;
    },
  };
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid!;

describe.runIf(TEST_DATABASE_URL)('an instance missing the secret its keys are sealed with (PostgreSQL, two instances)', () => {
  it('refuses to start, or stops signing at once, serves the true JWKS, and says why', async () => {
    const db = await createTestDatabase('postgresql');
    databases.push(db);
    // The runbook's rolling restart gone wrong: A already has NEW,OLD; B still has OLD only.
    const b = await start({ provider: 'postgresql', db, env: { KEY_SYNC_INTERVAL: '1s' } });
    const a = await start({ provider: 'postgresql', db, env: { KEY_SYNC_INTERVAL: '1s', KEY_ENCRYPTION_SECRET: `${NEW},${OLD}` } });
    const rp = await signedInRp(a);

    // A re-seals everything under NEW and rotates twice (forced): the keys B signed with are gone.
    expect(await a.container.keys.rewrap()).toBeGreaterThan(0);
    await a.container.keys.rotate({ force: true });
    await a.container.keys.rotate({ force: true });
    await Promise.all([a.syncKeys(), b.syncKeys()]);
    const published = (await a.container.keys.publishedKeySet()).keys.map((k) => k.kid);

    // B cannot open the new active key: it signs nothing at all, rather than with a deleted key.
    const token = await fetch(`${b.issuer}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x' }) });
    expect(token.status).toBe(503);
    expect(await token.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const ready = await fetch(`${b.issuer}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(
      /^not signing: cannot sign with the published key set: active RS256 key \S+ cannot be decrypted/,
    );
    // Its /jwks is the table's published set, the same as A's.
    expect(((await (await fetch(`${b.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual(published);
    const metrics = await (await fetch(`${b.issuer}/metrics`)).text();
    expect(metrics).toMatch(/^sesame_key_sync_failures_total [1-9]/m);
    expect(metrics).toMatch(/^sesame_signing 0$/m);

    // A signs with a published key all along.
    expect(published).toContain(kidOf(await rp.idToken()));

    // And an instance started with only OLD now refuses to start, saying what is missing.
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS, PORT: '0' });
    await expect(startSesame(config, silentLogger, { skipMigrations: true })).rejects.toThrow(
      /cannot sign with the published key set: .*cannot be decrypted.*KEY_ENCRYPTION_SECRET/,
    );
  });
});

describe.runIf(TEST_DATABASE_URL)("the runbook's rolling change of KEY_ENCRYPTION_SECRET (PostgreSQL, two instances)", () => {
  it('keeps every instance signing with a published key at every step, through rewrap and rotations', async () => {
    const db = await createTestDatabase('postgresql');
    databases.push(db);
    let a = await start({ provider: 'postgresql', db, env: { KEY_SYNC_INTERVAL: '1s', KEY_ENCRYPTION_SECRET: OLD } });
    // One issuer for both (a's address, as a load balancer's would be); each restart takes a new port.
    const issuer = a.issuer;
    const env = (secret: string) => ({ KEY_SYNC_INTERVAL: '1s', KEY_ENCRYPTION_SECRET: secret, ISSUER: issuer });
    let b = await start({ provider: 'postgresql', db, env: env(OLD) });
    const rp = await signedInRp(a);

    /** The RP's configuration with every endpoint on one instance (what the balancer does). */
    async function via(instance: TestSesame): Promise<oidc.Configuration> {
      const metadata = (await (await fetch(`${instance.url}/.well-known/openid-configuration`)).json()) as oidc.ServerMetadata;
      const endpoints = Object.fromEntries(
        Object.entries(metadata).map(([k, v]) => [k, k !== 'issuer' && typeof v === 'string' ? v.replace(issuer, instance.url) : v]),
      ) as oidc.ServerMetadata;
      const config = new oidc.Configuration(endpoints, rp.clientId, rp.clientSecret);
      oidc.allowInsecureRequests(config);
      return config;
    }

    /** Both instances are ready, and each signs a fresh ID token with a key the table publishes. */
    async function bothSign(step: string): Promise<void> {
      await Promise.all([a.syncKeys(), b.syncKeys()]);
      const published = (await a.container.keys.publishedKeySet()).keys.map((k) => k.kid);
      for (const instance of [a, b]) {
        expect((await fetch(`${instance.url}/readyz`)).status, `${step}: ready`).toBe(200);
        const token = await rp.idToken(await via(instance)).catch(async (error: { cause?: Response }) => {
          throw new Error(`${step}: ${instance.url}: ${error.cause instanceof Response ? `${error.cause.status} ${await error.cause.text()}` : String(error)}`);
        });
        expect(published, step).toContain(kidOf(token));
      }
    }
    const restart = async (which: 'a' | 'b', secret: string) => {
      const old = which === 'a' ? a : b;
      await old.close();
      running.splice(running.indexOf(old), 1);
      const fresh = await start({ provider: 'postgresql', db, env: env(secret) });
      if (which === 'a') a = fresh;
      else b = fresh;
    };

    await bothSign('0');
    // 1. Add NEW as a second secret, one instance at a time: OLD still seals, everyone opens all.
    await restart('a', `${OLD},${NEW}`);
    await a.container.keys.rotate({ force: true });
    await bothSign('1a');
    await restart('b', `${OLD},${NEW}`);
    await bothSign('1b');
    // 2. Make NEW the first, one instance at a time (both still open OLD and NEW), then rewrap.
    await restart('a', `${NEW},${OLD}`);
    await a.container.keys.rotate({ force: true });
    await bothSign('2a');
    await restart('b', `${NEW},${OLD}`);
    // What `sesame keys rewrap` does: signing keys and client secrets.
    expect(await b.container.keys.rewrap()).toBeGreaterThan(0);
    expect(await b.container.clients.rewrap()).toBeGreaterThan(0);
    await b.container.keys.rotate({ force: true });
    await bothSign('2b');
    // 3. Drop OLD, one instance at a time.
    await restart('a', NEW);
    await bothSign('3a');
    await restart('b', NEW);
    await a.container.keys.rotate({ force: true });
    await bothSign('3b');
  }, 120_000);
});

describe.each(PROVIDERS)('key faults on %s', (provider) => {
  it('keeps signing through a short outage of the key table, then stops and is not ready, and recovers', async () => {
    const lines: string[] = [];
    const db = await createTestDatabase(provider);
    databases.push(db);
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS, PORT: '0', KEY_SYNC_INTERVAL: '1s', LOG_LEVEL: 'error' });
    // Before the instance starts: the key sync keeps a reference to Date.now.
    useTestClock();
    const sesame = await startSesame(
      config,
      createLogger('error', (line) => lines.push(line)),
      { skipMigrations: true },
    );
    const url = sesame.url;
    try {
      await sesame.container.db.prisma.$executeRawUnsafe('ALTER TABLE "signing_key" RENAME TO "signing_key_away"');
      await sesame.syncKeys();
      expect((await fetch(`${url}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${url}/token`, { method: 'POST' })).status).not.toBe(503); // still serving within the grace
      // The grace (two sync intervals) is measured on Date: past it without waiting.
      advanceClock(2_000);
      await sesame.syncKeys();
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ reason: 'not signing: the key table could not be read' });
      expect((await fetch(`${url}/token`, { method: 'POST' })).status).toBe(503);
      expect(lines.some((l) => l.includes('"key sync failed: the key table could not be read"') && l.includes('"stack"'))).toBe(true);

      await sesame.container.db.prisma.$executeRawUnsafe('ALTER TABLE "signing_key_away" RENAME TO "signing_key"');
      await sesame.syncKeys();
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      await sesame.close();
    }
  });

  it('revoking the active key while the next is young: the retired key signs, and a default jose RP never fails', async () => {
    let clock = new Date('2030-06-01T00:00:00Z');
    const sesame = await start({ provider, now: () => clock });
    const rp = await signedInRp(sesame);
    // One rotation, so a retired key exists; the new next key is brand new.
    clock = new Date(clock.getTime() + 31 * 24 * 3600 * 1000);
    await sesame.container.keys.maintain();
    await sesame.syncKeys();
    const before = await sesame.container.keys.list();
    const retired = before.find((k) => k.state === 'retired')!;
    const active = before.find((k) => k.state === 'active')!;
    const next = before.find((k) => k.state === 'next')!;

    const jwks = createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`)); // defaults: 10 min cache, 30 s cooldown
    await jwtVerify(await rp.idToken(), jwks); // the RP has the set cached now

    clock = new Date(clock.getTime() + 60_000);
    const { changes, warnings } = await sesame.container.keys.revoke(active.kid);
    expect(warnings).toEqual([]);
    expect(changes.map((c) => [c.kind, c.kid])).toEqual([
      ['revoke', active.kid],
      ['reinstate', retired.kid],
    ]);
    await sesame.syncKeys();
    const token = await rp.idToken();
    expect(kidOf(token)).toBe(retired.kid);
    await jwtVerify(token, jwks); // at once: no refetch, no cooldown

    // Once the next key has been served long enough, the schedule promotes it and retires the stand-in.
    // Whichever tick gets there first does it: this call, or the instance's own sync, which the
    // revocation's change signal starts a moment after it (and which reads the same clock).
    clock = new Date(clock.getTime() + 20 * 60_000);
    await sesame.container.keys.maintain();
    await sesame.syncKeys();
    const after = await sesame.container.keys.list();
    expect(after.find((k) => k.kid === retired.kid)?.state).toBe('retired');
    expect(after.find((k) => k.kid === next.kid)?.state).toBe('active');
    expect(kidOf(await rp.idToken())).toBe(next.kid);
  });

  it('retires the keys of an algorithm taken out of SIGNING_ALGS, and names the clients that still ask for it', async () => {
    const db = await createTestDatabase(provider);
    databases.push(db);
    let clock = new Date('2030-06-01T00:00:00Z');
    const first = await start({ provider, db, env: { SIGNING_ALGS: 'RS256,ES256' }, now: () => clock });
    await first.container.clients.create({ client_name: 'Needs ES256', redirect_uris: [REDIRECT_URI], id_token_signed_response_alg: 'ES256' });
    await first.close();
    running.splice(running.indexOf(first), 1);

    const lines: string[] = [];
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS, PORT: '0', SIGNING_ALGS: 'RS256', LOG_LEVEL: 'warn' });
    const sesame = await startSesame(
      config,
      createLogger('warn', (line) => lines.push(line)),
      { skipMigrations: true, now: () => clock },
    );
    try {
      // The check runs in the background after start-up: poll for its warning.
      await expect.poll(() => lines.some((l) => l.includes('not in SIGNING_ALGS') && l.includes('Needs ES256'))).toBe(true);
      const changes = await sesame.container.keys.maintain();
      expect(changes.filter((c) => c.alg === 'ES256').map((c) => c.kind)).toEqual(['retire', 'retire']);
      const es = (await sesame.container.keys.list()).filter((k) => k.alg === 'ES256');
      expect(es.map((k) => k.state)).toEqual(['retired', 'retired']);
      // Still published (tokens they signed verify), never signing again.
      await sesame.syncKeys();
      const published = ((await (await fetch(`${sesame.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      for (const k of es) expect(published).toContain(k.kid);
      expect((await sesame.container.keys.load()).set.keys.filter((k) => k.alg === 'ES256')).toHaveLength(2);
      expect((await (await sesame.container.keys.load()).signingJwks()).map((k) => k.alg)).not.toContain('ES256');

      // Gone once their retention is over.
      clock = new Date(clock.getTime() + 60 * 24 * 3600 * 1000);
      await sesame.container.keys.maintain();
      expect((await sesame.container.keys.list()).filter((k) => k.alg === 'ES256')).toEqual([]);
    } finally {
      await sesame.close();
    }
  });

  it('decides by the database clock, not a fast local clock', async () => {
    const db = await createTestDatabase(provider);
    databases.push(db);
    const container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS }), silentLogger);
    try {
      await container.keys.ensureKeys();
      // This instance's clock runs an hour fast; the database's does not.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 60 * 60 * 1000);
      await expect(container.keys.rotate()).rejects.toThrow(ConflictError);
      await expect(container.keys.rotate()).rejects.toThrow(/served by every instance for 0s/);
      vi.useRealTimers();
      const next = (await container.keys.list()).find((k) => k.state === 'next')!;
      expect(Math.abs(Date.parse(next.published_at) - Date.now())).toBeLessThan(60_000);
    } finally {
      vi.useRealTimers();
      await container.close();
    }
  });
});
