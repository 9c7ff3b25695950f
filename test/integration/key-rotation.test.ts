// The key service on a real database and a controllable clock: rotation, scheduled maintenance,
// expiry, revocation (with --revoke-grants), and two instances racing for the key-set lock.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { ConflictError, NotFoundError } from '../../src/domain/errors.js';
import type { KeyView } from '../../src/domain/keys/key-service.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_SECRETS } from '../helpers/sesame.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The schedule in round numbers: a key signs for a day, RPs cache the JWKS for 10 minutes, and
// everything a key signed has expired an hour after its retirement (the longest lifetime is
// SESSION_MAX_AGE).
const SCHEDULE = {
  KEY_ROTATION_INTERVAL: '1d',
  JWKS_CACHE_LIFETIME: '10m',
  SESSION_TTL: '1h',
  SESSION_MAX_AGE: '1h',
  ID_TOKEN_TTL: '30m',
  ACCESS_TOKEN_TTL: '20m',
  KEY_SYNC_INTERVAL: '5s',
};
const CACHE = 10 * MINUTE;
const INTERVAL = DAY;
const RETENTION = HOUR;
// A next key counts as published one sync after its publishedAt; a retired key is kept one sync
// longer than its retention (other instances may still sign with it that long).
const SYNC = 5 * 1000;
const PUBLISHED = CACHE + SYNC;
const KEPT = SYNC + RETENTION;

const T0 = new Date('2031-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function one(keys: KeyView[], state: string, alg?: string): KeyView {
  const found = keys.filter((k) => k.state === state && (alg === undefined || k.alg === alg));
  expect(found, `exactly one ${alg ?? ''} ${state} key in ${JSON.stringify(keys)}`).toHaveLength(1);
  return found[0]!;
}

function statesOf(keys: KeyView[], alg?: string): string[] {
  return keys
    .filter((k) => alg === undefined || k.alg === alg)
    .map((k) => k.state)
    .sort();
}

describe.each(PROVIDERS)('key rotation on %s', (provider) => {
  // Two instances share a database only on PostgreSQL; on SQLite these tests do not exist (rather
  // than being skipped: CI fails on any skipped test).
  const onPostgres = (name: string, fn: () => Promise<void>) => {
    if (provider === 'postgresql') it(name, fn);
  };
  let db: TestDatabase | undefined;
  let clock: Date;
  const containers: Container[] = [];

  afterEach(async () => {
    await Promise.all(containers.splice(0).map((c) => c.close()));
    await db?.drop();
    db = undefined;
  });

  async function container(env: Record<string, string> = {}): Promise<Container> {
    db ??= await createTestDatabase(provider);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      ...TEST_SECRETS,
      SIGNING_ALGS: 'ES256',
      ...SCHEDULE,
      ...env,
    });
    const c = await createContainer(config, silentLogger, { now: () => clock });
    containers.push(c);
    return c;
  }

  /** A container with its keys created at T0. */
  async function started(env: Record<string, string> = {}): Promise<Container> {
    clock = T0;
    const c = await container(env);
    await c.keys.ensureKeys();
    return c;
  }

  it('refuses to rotate until the next key has been published for JWKS_CACHE_LIFETIME', async () => {
    const c = await started();
    const before = await c.keys.list();
    expect(statesOf(before)).toEqual(['active', 'next']);
    expect(one(before, 'next').published_at).toBe(T0.toISOString());

    await expect(c.keys.rotate()).rejects.toThrow(ConflictError);
    await expect(c.keys.rotate()).rejects.toThrow(/wait 605s or force the rotation/);
    clock = at(PUBLISHED - 1);
    await expect(c.keys.rotate()).rejects.toThrow(/wait 1s or force the rotation/);
    expect(await c.keys.list()).toEqual(before);

    clock = at(PUBLISHED);
    const applied = await c.keys.rotate();
    expect(applied.map((a) => a.kind)).toEqual(['retire', 'activate', 'create']);
    expect(statesOf(await c.keys.list())).toEqual(['active', 'next', 'retired']);
  });

  it('rotates with --force before JWKS_CACHE_LIFETIME, and refuses a second rotation while the retired key verifies', async () => {
    const c = await started();
    clock = at(MINUTE);
    await c.keys.rotate({ force: true });
    const afterFirst = await c.keys.list();
    const retired = one(afterFirst, 'retired');
    expect(retired.expires_at).toBe(at(MINUTE + KEPT).toISOString());

    // The new next key is old enough, but the retired key still verifies tokens.
    clock = at(MINUTE + PUBLISHED);
    await expect(c.keys.rotate()).rejects.toThrow(`until ${at(MINUTE + KEPT).toISOString()}`);
    expect(await c.keys.list()).toEqual(afterFirst);

    // Forced: the old retired key goes early, the current active one takes its place.
    await c.keys.rotate({ force: true });
    const afterSecond = await c.keys.list();
    expect(afterSecond.map((k) => k.kid)).not.toContain(retired.kid);
    expect(one(afterSecond, 'retired').kid).toBe(one(afterFirst, 'active').kid);
    expect(statesOf(afterSecond)).toEqual(['active', 'next', 'retired']);
  });

  it('after a rotation: retired with its retention, next active, a new next, a new key-set version, active keys first', async () => {
    const c = await started({ SIGNING_ALGS: 'RS256,ES256' });
    const before = await c.keys.list();
    const setBefore = await c.keys.publishedKeySet();
    expect(setBefore.keys).toHaveLength(4);

    const rotatedAt = at(PUBLISHED + 5 * MINUTE);
    clock = rotatedAt;
    await c.keys.rotate();
    const after = await c.keys.list();
    expect(after).toHaveLength(6);

    for (const alg of ['RS256', 'ES256']) {
      const oldActive = one(before, 'active', alg);
      const oldNext = one(before, 'next', alg);
      const retired = one(after, 'retired', alg);
      expect(retired.kid).toBe(oldActive.kid);
      expect(retired.retired_at).toBe(rotatedAt.toISOString());
      expect(retired.expires_at).toBe(new Date(rotatedAt.getTime() + KEPT).toISOString());
      const active = one(after, 'active', alg);
      expect(active.kid).toBe(oldNext.kid);
      expect(active.activated_at).toBe(rotatedAt.toISOString());
      const next = one(after, 'next', alg);
      expect([oldActive.kid, oldNext.kid]).not.toContain(next.kid);
      expect(next.published_at).toBe(rotatedAt.toISOString());
      expect(next.activated_at).toBeNull();
    }

    const setAfter = await c.keys.publishedKeySet();
    expect(setAfter.version).not.toBe(setBefore.version);
    expect(setAfter.keys.map((k) => k.kid).sort()).toEqual(after.map((k) => k.kid).sort());
    for (const k of setAfter.keys) expect(k).not.toHaveProperty('d');
    // The JWKS keeps serving the retired keys: tokens they signed still verify.
    for (const retired of after.filter((k) => k.state === 'retired')) {
      expect(setAfter.keys.map((k) => k.kid)).toContain(retired.kid);
    }

    const jwks = await c.keys.signingJwks();
    expect(jwks).toHaveLength(6);
    const activeKids = after.filter((k) => k.state === 'active').map((k) => k.kid);
    expect(
      jwks
        .slice(0, 2)
        .map((k) => k.kid)
        .sort(),
    ).toEqual(activeKids.sort());
    expect(
      setAfter.keys
        .slice(0, 2)
        .map((k) => k.kid)
        .sort(),
    ).toEqual(activeKids.sort());
  });

  it('maintain() rotates once KEY_ROTATION_INTERVAL has passed since activation, and not before', async () => {
    const c = await started();
    const before = await c.keys.list();
    const version = (await c.keys.publishedKeySet()).version;

    clock = at(INTERVAL - 1);
    expect(await c.keys.maintain()).toEqual([]);
    expect(await c.keys.list()).toEqual(before);
    expect((await c.keys.publishedKeySet()).version).toBe(version);

    clock = at(INTERVAL);
    const applied = await c.keys.maintain();
    expect(applied.map((a) => [a.kind, a.alg])).toEqual([
      ['retire', 'ES256'],
      ['activate', 'ES256'],
      ['create', 'ES256'],
    ]);
    const after = await c.keys.list();
    expect(one(after, 'retired').kid).toBe(one(before, 'active').kid);
    expect(one(after, 'active').kid).toBe(one(before, 'next').kid);
    expect(one(after, 'active').activated_at).toBe(at(INTERVAL).toISOString());
    expect(after).toHaveLength(3);

    // The new active key has signed for no time at all: nothing more to do.
    expect(await c.keys.maintain()).toEqual([]);
    expect(await c.keys.list()).toEqual(after);
  });

  it('maintain() deletes the retired key once its retention is over, and it leaves the JWKS', async () => {
    const c = await started();
    clock = at(PUBLISHED);
    await c.keys.rotate();
    const rotated = await c.keys.list();
    const retired = one(rotated, 'retired');
    expect(retired.expires_at).toBe(at(PUBLISHED + KEPT).toISOString());

    clock = at(PUBLISHED + KEPT - 1);
    expect(await c.keys.maintain()).toEqual([]);
    expect((await c.keys.publishedKeySet()).keys.map((k) => k.kid)).toContain(retired.kid);

    clock = at(PUBLISHED + KEPT);
    const applied = await c.keys.maintain();
    expect(applied.map((a) => [a.kind, a.kid])).toEqual([['delete', retired.kid]]);
    expect(await c.db.prisma.signingKey.findUnique({ where: { kid: retired.kid } })).toBeNull();
    const after = await c.keys.list();
    expect(statesOf(after)).toEqual(['active', 'next']);
    expect(after).toEqual(rotated.filter((k) => k.kid !== retired.kid));
    const set = await c.keys.publishedKeySet();
    expect(set.keys.map((k) => k.kid)).not.toContain(retired.kid);
    expect(set.keys).toHaveLength(2);
    expect((await c.keys.signingJwks()).map((k) => k.kid)).not.toContain(retired.kid);
  });

  it('maintain() deletes an expired retired key and rotates in the same tick', async () => {
    // Retention (1h) longer than the interval would block scheduled rotations: here it is shorter.
    const c = await started({ KEY_ROTATION_INTERVAL: '2h' });
    clock = at(PUBLISHED);
    await c.keys.rotate();
    const first = await c.keys.list();
    clock = at(PUBLISHED + 2 * HOUR);
    const applied = await c.keys.maintain();
    expect(applied.map((a) => a.kind)).toEqual(['delete', 'retire', 'activate', 'create']);
    const after = await c.keys.list();
    expect(after.map((k) => k.kid)).not.toContain(one(first, 'retired').kid);
    expect(one(after, 'retired').kid).toBe(one(first, 'active').kid);
    expect(one(after, 'active').kid).toBe(one(first, 'next').kid);
    expect(after).toHaveLength(3);
  });

  it('revoke: the key leaves the JWKS and the signing set at once, its private key is destroyed, next signs', async () => {
    const c = await started();
    const before = await c.keys.list();
    const active = one(before, 'active');
    const next = one(before, 'next');
    const versionBefore = (await c.keys.publishedKeySet()).version;

    const revokedAt = at(3 * MINUTE);
    clock = revokedAt;
    const { changes, revokedGrants } = await c.keys.revoke(active.kid);
    expect(revokedGrants).toBeUndefined();
    expect(changes.map((a) => [a.kind, a.kid === active.kid ? 'revoked' : a.kid === next.kid ? 'next' : 'new'])).toEqual([
      ['revoke', 'revoked'],
      ['activate', 'next'],
      ['create', 'new'],
    ]);

    const set = await c.keys.publishedKeySet();
    expect(set.version).not.toBe(versionBefore);
    expect(set.keys.map((k) => k.kid)).not.toContain(active.kid);
    expect(set.keys).toHaveLength(2);
    const jwks = await c.keys.signingJwks();
    expect(jwks.map((k) => k.kid)).not.toContain(active.kid);
    expect(jwks[0]!.kid).toBe(next.kid);

    const row = await c.db.prisma.signingKey.findUnique({ where: { kid: active.kid } });
    expect(row).not.toBeNull();
    expect(row!.state).toBe('revoked');
    expect(row!.privateJwe).toBeNull();
    expect(row!.revokedAt?.toISOString()).toBe(revokedAt.toISOString());

    const after = await c.keys.list();
    expect(one(after, 'active').kid).toBe(next.kid);
    expect(one(after, 'active').activated_at).toBe(revokedAt.toISOString());
    expect(one(after, 'next').kid).not.toBe(active.kid);
    expect(statesOf(after)).toEqual(['active', 'next', 'revoked']);

    await expect(c.keys.revoke(active.kid)).rejects.toThrow(ConflictError);
    await expect(c.keys.revoke('no-such-kid')).rejects.toThrow(NotFoundError);
    expect(await c.keys.list()).toEqual(after);
  });

  it('revoke a retired key with revokeGrants: removes what was created up to its retirement, other models stay', async () => {
    const c = await started();
    const rotatedAt = at(PUBLISHED);
    clock = rotatedAt;
    await c.keys.rotate();
    const retired = one(await c.keys.list(), 'retired');

    const expiresAt = at(DAY);
    const rows: Array<[model: string, id: string, createdAt: Date]> = [
      ['Session', 's-before', at(PUBLISHED - MINUTE)],
      ['Grant', 'g-before', at(PUBLISHED - MINUTE)],
      ['AccessToken', 'at-before', at(PUBLISHED - MINUTE)],
      ['RefreshToken', 'rt-before', at(1)],
      ['Session', 's-at-retirement', rotatedAt],
      ['Session', 's-after', at(PUBLISHED + 1)],
      ['Grant', 'g-after', at(PUBLISHED + MINUTE)],
      ['ReplayDetection', 'rd-before', at(PUBLISHED - MINUTE)],
      ['PushedAuthorizationRequest', 'par-before', at(PUBLISHED - MINUTE)],
    ];
    for (const [model, id, createdAt] of rows) {
      await c.payloads.upsert(model, id, '{}', { grantId: `grant-${id}`, expiresAt });
      await c.db.prisma.oidcPayload.update({ where: { model_id: { model, id } }, data: { createdAt } });
    }

    clock = at(PUBLISHED + 30 * MINUTE);
    const { revokedGrants } = await c.keys.revoke(retired.kid, { revokeGrants: true });
    expect(revokedGrants).toBe(5);
    const left = await c.db.prisma.oidcPayload.findMany({ orderBy: [{ model: 'asc' }, { id: 'asc' }] });
    expect(left.map((r) => `${r.model}/${r.id}`)).toEqual([
      'Grant/g-after',
      'PushedAuthorizationRequest/par-before',
      'ReplayDetection/rd-before',
      'Session/s-after',
    ]);
    // A retired key's revocation touches no other key.
    expect(statesOf(await c.keys.list())).toEqual(['active', 'next', 'revoked']);
  });

  it('revoke the active key with revokeGrants: removes what was created up to now', async () => {
    const c = await started();
    const active = one(await c.keys.list(), 'active');
    const now = at(2 * HOUR);
    const rows: Array<[model: string, id: string, createdAt: Date]> = [
      ['Session', 'old', at(0)],
      ['AuthorizationCode', 'code', at(2 * HOUR - 1)],
      ['Interaction', 'int', now],
      ['Session', 'future', at(2 * HOUR + 1)],
      ['ReplayDetection', 'rd', at(0)],
    ];
    for (const [model, id, createdAt] of rows) {
      await c.payloads.upsert(model, id, '{}', { expiresAt: at(DAY) });
      await c.db.prisma.oidcPayload.update({ where: { model_id: { model, id } }, data: { createdAt } });
    }
    clock = now;
    const { revokedGrants } = await c.keys.revoke(active.kid, { revokeGrants: true });
    expect(revokedGrants).toBe(3);
    const left = await c.db.prisma.oidcPayload.findMany({ orderBy: { model: 'asc' } });
    expect(left.map((r) => `${r.model}/${r.id}`)).toEqual(['ReplayDetection/rd', 'Session/future']);
  });

  // Two instances share a database only on PostgreSQL (see keys.test.ts).
  onPostgres('of two instances running maintain() at once, exactly one rotates', async () => {
    const a = await started({ SIGNING_ALGS: 'RS256,ES256' });
    const b = await container({ SIGNING_ALGS: 'RS256,ES256' });
    const before = await a.keys.list();
    expect(before).toHaveLength(4);

    clock = at(INTERVAL + MINUTE);
    const results = await Promise.all([a.keys.maintain(), b.keys.maintain()]);
    expect(results.map((r) => r.length).sort()).toEqual([0, 6]);

    const after = await a.keys.list();
    expect(after).toHaveLength(before.length + 2);
    for (const alg of ['RS256', 'ES256']) {
      expect(statesOf(after, alg)).toEqual(['active', 'next', 'retired']);
      expect(one(after, 'retired', alg).kid).toBe(one(before, 'active', alg).kid);
      expect(one(after, 'active', alg).kid).toBe(one(before, 'next', alg).kid);
    }
    // Both instances see the same key set.
    expect(await b.keys.list()).toEqual(after);
    expect((await b.keys.publishedKeySet()).version).toBe((await a.keys.publishedKeySet()).version);
  });

  onPostgres('of two instances running maintain() at once on one family, the key count grows by exactly one', async () => {
    const a = await started();
    const b = await container();
    const before = await a.keys.list();
    clock = at(INTERVAL);
    await Promise.all([a.keys.maintain(), b.keys.maintain(), a.keys.maintain(), b.keys.maintain()]);
    const after = await a.keys.list();
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((k) => k.state === 'retired')).toHaveLength(1);
    expect(after.filter((k) => k.state === 'next')).toHaveLength(1);
    expect(after.filter((k) => !before.some((b) => b.kid === k.kid))).toHaveLength(1);
  });

  onPostgres('of two instances rotating at once, one rotates and the other is refused: its next key is young', async () => {
    const a = await started();
    const b = await container();
    const before = await a.keys.list();
    clock = at(PUBLISHED);
    const results = await Promise.allSettled([a.keys.rotate(), b.keys.rotate()]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(ConflictError);
    expect((rejected[0]!.reason as Error).message).toMatch(/next key .* has been served by every instance for 0s.*wait 605s/);

    const after = await a.keys.list();
    expect(after).toHaveLength(3);
    expect(statesOf(after)).toEqual(['active', 'next', 'retired']);
    expect(one(after, 'retired').kid).toBe(one(before, 'active').kid);
    expect(one(after, 'active').kid).toBe(one(before, 'next').kid);
  });
});
