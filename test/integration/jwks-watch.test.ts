// Watching the JWKS on both databases: fetches counted per fetcher in memory and written in batches
// (several instances into one table), `keys status`, and KEY_ACTIVATION_GATE holding a scheduled
// activation until a fetcher (a real GET of /jwks with its own address and User-Agent) has received
// the next key, or until the maximum delay. Key decisions run on a fake clock, as in
// key-rotation.test.ts, so a day of schedule takes no time.
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { createJwksFetcherRepository } from '../../src/db/jwks-fetcher-repository.js';
import { FetchTally } from '../../src/domain/keys/fetch-tally.js';
import type { KeyView } from '../../src/domain/keys/key-service.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { discover } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SCHEDULE = {
  KEY_ROTATION_INTERVAL: '1d',
  JWKS_CACHE_LIFETIME: '10m',
  SESSION_TTL: '1h',
  SESSION_MAX_AGE: '1h',
  ID_TOKEN_TTL: '30m',
  ACCESS_TOKEN_TTL: '20m',
  KEY_SYNC_INTERVAL: '5s',
  SIGNING_ALGS: 'ES256',
  TRUST_PROXY: '1',
  KEY_ACTIVATION_GATE: '1',
  KEY_ACTIVATION_GATE_MAX_DELAY: '1h',
};
const T0 = new Date('2031-06-01T12:00:00.000Z');

const byState = (keys: KeyView[], state: string) => keys.find((k) => k.state === state)!;

describe.each(PROVIDERS)('watching the JWKS on %s', (provider) => {
  let sesame: TestSesame;
  let clock = T0;
  const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, now: () => clock, env: SCHEDULE });
  });
  afterAll(async () => sesame?.close());

  /** A fetch of /jwks from `from` as `userAgent`, as an RP's library makes it. */
  const fetchJwks = (from: string, userAgent: string, etag?: string) =>
    fetch(`${sesame.issuer}/jwks`, { headers: { 'x-forwarded-for': from, 'user-agent': userAgent, ...(etag ? { 'if-none-match': etag } : {}) } });
  const keys = () => sesame.container.keys.list();
  const held = async () => (await sesame.container.audit.list({ action: 'key.activation_held' })).events;
  /** A scheduled tick now (the instance's own ticks run on the same clock: whichever comes first acts). */
  const tick = async () => {
    await sesame.container.keys.maintain();
    await sesame.syncKeys();
  };

  it('writes several instances’ batches into one row per fetcher: counts add up, the latest key set wins, no address stored', async () => {
    const repo = createJwksFetcherRepository(sesame.container.db.prisma);
    const digest = (value: string) => `test-${createHash('sha256').update(`salted:${value}`).digest('base64url')}`;
    let now = T0.getTime();
    const instanceA = new FetchTally({ write: (rows) => repo.record(rows), digest, log: silentLogger, now: () => now });
    const instanceB = new FetchTally({ write: (rows) => repo.record(rows), digest, log: silentLogger, now: () => now });
    for (let i = 0; i < 3; i++) instanceA.record('198.51.100.9', 'storage-rp/1', ',k1,k2,');
    instanceA.record('198.51.100.10', 'storage-rp/1', ',k1,k2,');
    now += MINUTE;
    instanceB.record('198.51.100.9', 'storage-rp/1', ',k2,k3,');
    // B's newer fetch is written first; A's older one must not take its key set back.
    await instanceB.flush();
    await instanceA.flush();
    expect(instanceA.pending + instanceB.pending).toBe(0);

    const rows = await sesame.container.db.prisma.jwksFetcher.findMany({ where: { id: { startsWith: 'test-' } }, orderBy: { fetches: 'desc' } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ fetches: 4, kids: ',k2,k3,', firstSeenAt: T0, lastSeenAt: new Date(T0.getTime() + MINUTE) });
    expect(JSON.stringify(rows)).not.toContain('198.51.100');
    expect(rows[1]).toMatchObject({ fetches: 1, kids: ',k1,k2,', lastSeenAt: T0 });
    expect(await repo.pickup('k3', T0)).toEqual({ fetchers: 2, received: 1 });
    expect(await repo.pickup('k1', T0)).toEqual({ fetchers: 2, received: 1 });
    expect(await repo.pickup('k2', new Date(T0.getTime() + 1))).toEqual({ fetchers: 1, received: 1 });

    // The sweep forgets fetchers not seen for JWKS_FETCHER_RETENTION (7 days by default).
    await sesame.container.jwksWatch.deleteExpired(new Date(T0.getTime() + 7 * DAY + MINUTE));
    expect(await sesame.container.db.prisma.jwksFetcher.count({ where: { id: { startsWith: 'test-' } } })).toBe(1);
    await sesame.container.jwksWatch.deleteExpired(new Date(T0.getTime() + 7 * DAY + 2 * MINUTE));
    expect(await sesame.container.db.prisma.jwksFetcher.count({ where: { id: { startsWith: 'test-' } } })).toBe(0);
  });

  it('holds a scheduled activation until the fetcher has received the next key (a 304 counts), then activates it', async () => {
    // An RP fetches the key set: the active key and the next one.
    expect((await fetchJwks('203.0.113.10', 'rp-a/1.0')).status).toBe(200);
    // A manual rotation is not gated: a new next key the RP has not seen.
    advance(MINUTE);
    await sesame.container.keys.rotate({ force: true });
    await sesame.syncKeys();
    const next = byState(await keys(), 'next');

    // A day later the rotation is due: held, recorded once however many ticks see it.
    advance(DAY);
    await tick();
    await tick();
    expect(byState(await keys(), 'next').kid).toBe(next.kid);
    const records = await held();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ actor: 'system', target: `key:${next.kid}` });
    expect(records[0]!.details).toMatchObject({ outcome: 'held', kid: next.kid, fetchers: 1, received: 0, share: 0, required_share: 1 });
    // The hold is a key event too, for the webhook receivers.
    const events = await sesame.container.keyEvents.list();
    expect(events.filter((e) => e.type === 'dev.sesame.key.activation_held' && e.kid === next.kid)).toHaveLength(1);

    // Another RP fetches the current set: it holds the next key; the first still does not.
    const current = await fetchJwks('203.0.113.11', 'rp-b/2.0');
    expect(current.status).toBe(200);
    const status = await sesame.container.jwksWatch.status();
    expect(status.recent_fetchers).toBe(2);
    expect(status.families).toEqual([
      expect.objectContaining({ alg: 'ES256', fetchers: 2, received: 1, share: 0.5, next: expect.objectContaining({ kid: next.kid }) }),
    ]);
    expect(status.families[0]!.hold).toMatchObject({ released_at: null });
    await tick();
    expect(byState(await keys(), 'next').kid).toBe(next.kid);

    // The admin API says the same.
    const admin = await sesame.container.clients.create({ client_name: 'Watcher', grant_types: ['client_credentials'], scope: 'admin' });
    const token = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, admin.client_id, admin.client_secret), { scope: 'admin' })).access_token;
    const api = await fetch(`${sesame.issuer}/admin/api/v1/keys/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual(JSON.parse(JSON.stringify(status)));

    // The CLI reads the same numbers from the table.
    let stdout = '';
    const env = { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ...TEST_SECRETS, ...SCHEDULE };
    expect(await runCli(['keys', 'status', '--json'], { stdout: (s) => void (stdout += s), stderr: () => {}, env })).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ gate: { share: 1, max_delay_seconds: 3600 }, families: [{ fetchers: 2, received: 1, share: 0.5 }] });
    stdout = '';
    expect(await runCli(['keys', 'status'], { stdout: (s) => void (stdout += s), stderr: () => {}, env })).toBe(0);
    expect(stdout).toContain('activation gate (KEY_ACTIVATION_GATE): 100% of recent fetchers, for 1h at most');
    expect(stdout).toContain('1 of 2 (50%)');
    expect(stdout).toContain('held since');

    // The first RP revalidates with the current ETag: a 304 is receiving it.
    const revalidated = await fetchJwks('203.0.113.10', 'rp-a/1.0', current.headers.get('etag')!);
    expect(revalidated.status).toBe(304);
    await tick();
    const after = await keys();
    expect(after.find((k) => k.kid === next.kid)!.state).toBe('active');
    expect(await held()).toHaveLength(1);
  });

  it('releases a held activation at KEY_ACTIVATION_GATE_MAX_DELAY, and records that', async () => {
    const next = byState(await keys(), 'next');
    advance(DAY);
    await tick();
    expect(byState(await keys(), 'next').kid).toBe(next.kid);
    expect((await held()).filter((e) => e.target === `key:${next.kid}`)).toHaveLength(1);

    advance(HOUR - MINUTE);
    await tick();
    expect(byState(await keys(), 'next').kid).toBe(next.kid);

    advance(MINUTE);
    await tick();
    expect((await keys()).find((k) => k.kid === next.kid)!.state).toBe('active');
    const records = (await held()).filter((e) => e.target === `key:${next.kid}`);
    expect(records.map((e) => e.details.outcome).sort()).toEqual(['held', 'released']);
    expect(records.find((e) => e.details.outcome === 'released')!.details).toMatchObject({ received: 0, fetchers: 2 });
  });
});

// Two instances on one PostgreSQL database (SQLite has one process per file): both write into the
// same table, and a hold is recorded once, whichever instance sees it.
// Defined only with PostgreSQL, rather than skipped without it (CI fails on any skipped test).
const onPostgres = PROVIDERS.includes('postgresql') ? describe : () => undefined;
onPostgres('watching the JWKS from two instances on postgresql', () => {
  let db: TestDatabase;
  let a: TestSesame;
  let b: TestSesame;
  let clock = T0;
  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    a = await startTestSesame({ db, now: () => clock, env: SCHEDULE });
    b = await startTestSesame({ db, now: () => clock, env: SCHEDULE });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  const fetchFrom = (instance: TestSesame) => fetch(`${instance.issuer}/jwks`, { headers: { 'x-forwarded-for': '192.0.2.44', 'user-agent': 'shared-rp/3' } });

  it('counts one fetcher across instances, records one hold, and each instance decides with its own counts written first', async () => {
    expect((await fetchFrom(a)).status).toBe(200);
    expect((await fetchFrom(b)).status).toBe(200);
    await Promise.all([a.container.jwksWatch.tally.flush(), b.container.jwksWatch.tally.flush()]);
    const rows = await a.container.db.prisma.jwksFetcher.findMany();
    expect(rows.map((r) => r.fetches)).toEqual([2]);

    clock = new Date(clock.getTime() + MINUTE);
    await a.container.keys.rotate({ force: true });
    await Promise.all([a.syncKeys(), b.syncKeys()]);
    const next = byState(await a.container.keys.list(), 'next');
    clock = new Date(clock.getTime() + DAY);
    await Promise.all([a.container.keys.maintain(), b.container.keys.maintain(), a.container.keys.maintain(), b.container.keys.maintain()]);
    expect(byState(await a.container.keys.list(), 'next').kid).toBe(next.kid);
    expect((await a.container.audit.list({ action: 'key.activation_held' })).events).toHaveLength(1);

    // The RP picks the next key up from b; b writes its counts before it decides, and rotates.
    expect((await fetchFrom(b)).status).toBe(200);
    await b.container.keys.maintain();
    expect((await a.container.keys.list()).find((k) => k.kid === next.kid)!.state).toBe('active');
  });
});
