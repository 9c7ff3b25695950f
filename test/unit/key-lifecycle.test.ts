// The signing-key lifecycle's pure plans on a fake clock: plain Date values, no timers, no I/O.
import { describe, expect, it } from 'vitest';
import {
  isRotationDue,
  planCompletion,
  planExpiry,
  planRemovedAlgorithms,
  planRevocation,
  planRotation,
  retiredRetention,
  type KeyChange,
  type KeyPolicy,
  type LifecycleKey,
  type Plan,
} from '../../src/domain/keys/lifecycle.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

// No sync margin in most tests, so the other rules read in round numbers; the margin has its own.
const POLICY: KeyPolicy = { rotationInterval: DAY, jwksCacheLifetime: 10 * MINUTE, retiredRetention: HOUR, syncMargin: 0 };
const WITH_MARGIN: KeyPolicy = { ...POLICY, syncMargin: 5 * SECOND };

function key(kid: string, state: string, fields: Partial<LifecycleKey> = {}): LifecycleKey {
  return {
    kid,
    alg: 'RS256',
    state,
    publishedAt: T0,
    activatedAt: state === 'active' ? T0 : null,
    retiredAt: null,
    expiresAt: null,
    ...fields,
  };
}

/** A family as it is some time after its first rotation: retired, active, next. */
function rotatedFamily(retiredExpiresAt: Date): LifecycleKey[] {
  return [
    key('old', 'retired', { retiredAt: T0, expiresAt: retiredExpiresAt }),
    key('cur', 'active', { activatedAt: T0 }),
    key('nxt', 'next', { publishedAt: T0 }),
  ];
}

function changesOf(plan: Plan): KeyChange[] {
  if (!plan.ok) throw new Error(`expected an accepted plan, got: ${plan.reason}`);
  return plan.changes;
}

function reasonOf(plan: Plan): string {
  if (plan.ok) throw new Error(`expected a refusal, got ${JSON.stringify(plan.changes)}`);
  return plan.reason;
}

/** The changes without their human-readable reasons, for exact comparison. */
function bare(changes: KeyChange[]) {
  return changes.map(({ reason: _reason, ...rest }) => rest);
}

describe('planCompletion', () => {
  it('gives an empty family an active key and a next key', () => {
    expect(bare(planCompletion([], 'ES256', T0))).toEqual([
      { kind: 'create', alg: 'ES256', state: 'active' },
      { kind: 'create', alg: 'ES256', state: 'next' },
    ]);
  });

  it('gives a family with only an active key a next key', () => {
    expect(bare(planCompletion([key('a', 'active')], 'RS256', T0))).toEqual([{ kind: 'create', alg: 'RS256', state: 'next' }]);
  });

  it('promotes the next key of a family without an active key, and publishes a new next', () => {
    const now = at(5 * MINUTE);
    const keys = [key('r', 'revoked'), key('n', 'next')];
    expect(bare(planCompletion(keys, 'RS256', now))).toEqual([
      { kind: 'activate', kid: 'n', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
  });

  it('leaves a complete family alone, whatever retired or revoked keys it also has', () => {
    const keys = [key('r', 'retired', { expiresAt: at(HOUR) }), key('x', 'revoked'), key('a', 'active'), key('n', 'next')];
    expect(planCompletion(keys, 'RS256', at(DAY))).toEqual([]);
  });
});

describe('planRotation', () => {
  const family = () => [key('a', 'active', { activatedAt: T0 }), key('n', 'next', { publishedAt: T0 })];

  it('promotes next, retires active with its retention, and publishes a new next', () => {
    const now = at(POLICY.jwksCacheLifetime + 3 * MINUTE);
    expect(bare(changesOf(planRotation(family(), now, POLICY)))).toEqual([
      { kind: 'retire', kid: 'a', at: now, expiresAt: new Date(now.getTime() + POLICY.retiredRetention) },
      { kind: 'activate', kid: 'n', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
  });

  it('allows a next key published exactly jwksCacheLifetime ago', () => {
    const changes = changesOf(planRotation(family(), at(POLICY.jwksCacheLifetime), POLICY));
    expect(changes.map((c) => c.kind)).toEqual(['retire', 'activate', 'create']);
  });

  it('refuses a next key published 1 ms less than jwksCacheLifetime ago, naming the wait and that forcing would do it', () => {
    const plan = planRotation(family(), at(POLICY.jwksCacheLifetime - 1), POLICY);
    const reason = reasonOf(plan);
    expect(reason).toContain('next key n');
    expect(reason).toContain('wait 1s');
    expect(reason).toContain('force the rotation');
    // No channel's control named (--force is the CLI's; each channel adds its own).
    expect(reason).not.toContain('--force');
    expect(plan).toMatchObject({ ok: false, forceable: true });
  });

  it('names the remaining wait in seconds', () => {
    // Published 4 minutes ago, RPs may cache 10: 6 minutes to go.
    const reason = reasonOf(planRotation(family(), at(4 * MINUTE), POLICY));
    expect(reason).toContain('served by every instance for 240s');
    expect(reason).toContain('cache the JWKS for 600s');
    expect(reason).toContain('wait 360s or force the rotation');
  });

  it('rotates a young next key when forced', () => {
    const now = at(1 * SECOND);
    const changes = changesOf(planRotation(family(), now, POLICY, { force: true }));
    expect(bare(changes)).toEqual([
      { kind: 'retire', kid: 'a', at: now, expiresAt: new Date(now.getTime() + POLICY.retiredRetention) },
      { kind: 'activate', kid: 'n', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
    expect(changes.find((c) => c.kind === 'retire')!.reason).toContain('forced');
  });

  it('refuses without a next key, even when forced', () => {
    const keys = [key('a', 'active')];
    expect(reasonOf(planRotation(keys, at(DAY), POLICY))).toMatch(/no next key/);
    expect(reasonOf(planRotation(keys, at(DAY), POLICY, { force: true }))).toMatch(/no next key/);
  });

  it('refuses while the retired key still verifies tokens, saying until when', () => {
    const expiresAt = at(HOUR);
    const reason = reasonOf(planRotation(rotatedFamily(expiresAt), at(HOUR - 1), POLICY));
    expect(reason).toContain('retired key old');
    expect(reason).toContain(`until ${expiresAt.toISOString()}`);
    expect(reason).toContain('force the rotation');
  });

  it('deletes the unexpired retired key when forced', () => {
    const now = at(30 * MINUTE);
    const changes = changesOf(planRotation(rotatedFamily(at(HOUR)), now, POLICY, { force: true }));
    expect(bare(changes)).toEqual([
      { kind: 'delete', kid: 'old' },
      { kind: 'retire', kid: 'cur', at: now, expiresAt: new Date(now.getTime() + POLICY.retiredRetention) },
      { kind: 'activate', kid: 'nxt', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
  });

  it('deletes a retired key whose retention is over (at its expiry exactly, and after)', () => {
    for (const now of [at(HOUR), at(2 * HOUR)]) {
      const changes = changesOf(planRotation(rotatedFamily(at(HOUR)), now, POLICY));
      expect(bare(changes)).toEqual([
        { kind: 'delete', kid: 'old' },
        { kind: 'retire', kid: 'cur', at: now, expiresAt: new Date(now.getTime() + POLICY.retiredRetention) },
        { kind: 'activate', kid: 'nxt', at: now },
        { kind: 'create', alg: 'RS256', state: 'next' },
      ]);
    }
  });

  it('ignores revoked keys', () => {
    const keys = [key('x', 'revoked', { publishedAt: at(DAY) }), ...family()];
    expect(changesOf(planRotation(keys, at(POLICY.jwksCacheLifetime), POLICY)).map((c) => c.kind)).toEqual(['retire', 'activate', 'create']);
  });
});

describe('isRotationDue', () => {
  const keys = [key('a', 'active', { activatedAt: T0 }), key('n', 'next')];

  it('is due exactly one rotation interval after activation, not 1 ms before', () => {
    expect(isRotationDue(keys, at(POLICY.rotationInterval - 1), POLICY)).toBe(false);
    expect(isRotationDue(keys, at(POLICY.rotationInterval), POLICY)).toBe(true);
    expect(isRotationDue(keys, at(POLICY.rotationInterval + DAY), POLICY)).toBe(true);
  });

  it('is never due without an active key', () => {
    expect(isRotationDue([key('n', 'next')], at(10 * DAY), POLICY)).toBe(false);
    expect(isRotationDue([], at(10 * DAY), POLICY)).toBe(false);
  });
});

describe('planExpiry', () => {
  it('deletes only retired keys at or after their expiry', () => {
    const keys = [
      key('due', 'retired', { retiredAt: T0, expiresAt: at(HOUR) }),
      key('past', 'retired', { retiredAt: T0, expiresAt: at(HOUR - 1) }),
      key('young', 'retired', { retiredAt: T0, expiresAt: at(HOUR + 1) }),
      // Only retired keys expire: an expiresAt on any other state never deletes it.
      key('nxt', 'next', { expiresAt: at(0) }),
      key('act', 'active', { expiresAt: at(0) }),
      key('rev', 'revoked', { expiresAt: at(0) }),
    ];
    expect(bare(planExpiry(keys, at(HOUR)))).toEqual([
      { kind: 'delete', kid: 'due' },
      { kind: 'delete', kid: 'past' },
    ]);
  });

  it('deletes nothing 1 ms before the expiry', () => {
    expect(planExpiry([key('r', 'retired', { expiresAt: at(HOUR) })], at(HOUR - 1))).toEqual([]);
  });

  it('keeps a retired key without an expiry', () => {
    expect(planExpiry([key('r', 'retired', { expiresAt: null })], at(100 * DAY))).toEqual([]);
  });
});

describe('planRevocation', () => {
  const now = at(2 * HOUR);
  const family = () => [key('old', 'retired', { retiredAt: T0, expiresAt: at(HOUR * 5) }), key('cur', 'active'), key('nxt', 'next')];

  it('revokes the active key, promotes a next key every RP holds at once, and publishes a new next', () => {
    expect(bare(changesOf(planRevocation(family(), 'cur', now, POLICY)))).toEqual([
      { kind: 'revoke', kid: 'cur', at: now },
      { kind: 'activate', kid: 'nxt', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
  });

  it('reinstates the retired key, which every RP holds, while the next key is too new', () => {
    const young = [
      key('old', 'retired', { retiredAt: T0, expiresAt: at(5 * HOUR) }),
      key('cur', 'active'),
      key('nxt', 'next', { publishedAt: at(2 * HOUR - MINUTE) }),
    ];
    const plan = planRevocation(young, 'cur', now, POLICY);
    expect(bare(changesOf(plan))).toEqual([
      { kind: 'revoke', kid: 'cur', at: now },
      { kind: 'reinstate', kid: 'old', at: now },
    ]);
    expect(plan.ok && plan.warnings).toBeFalsy();
  });

  it('promotes a too-new next key with a warning when no retired key can sign instead', () => {
    for (const keys of [
      [key('cur', 'active'), key('nxt', 'next', { publishedAt: at(2 * HOUR - MINUTE) })],
      [key('old', 'revoked'), key('cur', 'active'), key('nxt', 'next', { publishedAt: at(2 * HOUR - MINUTE) })],
    ]) {
      const plan = planRevocation(keys, 'cur', now, POLICY);
      expect(bare(changesOf(plan))).toEqual([
        { kind: 'revoke', kid: 'cur', at: now },
        { kind: 'activate', kid: 'nxt', at: now },
        { kind: 'create', alg: 'RS256', state: 'next' },
      ]);
      expect(plan.ok && plan.warnings?.join(' ')).toMatch(/served by every instance for 60s of the 600s.*for up to 540s/);
    }
  });

  it('revokes the next key and publishes a new next', () => {
    expect(bare(changesOf(planRevocation(family(), 'nxt', now, POLICY)))).toEqual([
      { kind: 'revoke', kid: 'nxt', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
  });

  it('revokes a retired key and changes nothing else', () => {
    expect(bare(changesOf(planRevocation(family(), 'old', now, POLICY)))).toEqual([{ kind: 'revoke', kid: 'old', at: now }]);
  });

  it('creates an active and a next key, with a warning, when the revoked active key had no next to take over', () => {
    const keys = [key('cur', 'active', { alg: 'ES256' }), key('gone', 'revoked', { alg: 'ES256' })];
    const plan = planRevocation(keys, 'cur', now, POLICY);
    expect(bare(changesOf(plan))).toEqual([
      { kind: 'revoke', kid: 'cur', at: now },
      { kind: 'create', alg: 'ES256', state: 'active' },
      { kind: 'create', alg: 'ES256', state: 'next' },
    ]);
    expect(plan.ok && plan.warnings).toHaveLength(1);
  });

  it('refuses an unknown kid', () => {
    expect(reasonOf(planRevocation(family(), 'nope', now, POLICY))).toBe('no key with kid nope');
  });

  it('refuses a key that is already revoked', () => {
    const keys = [...family(), key('dead', 'revoked')];
    expect(reasonOf(planRevocation(keys, 'dead', now, POLICY))).toBe('key dead is already revoked');
  });
});

describe('a reinstated retired key (stand-in)', () => {
  const revokedAt = at(2 * HOUR);
  const standIn = () => [
    key('cur', 'revoked'),
    key('old', 'active', { retiredAt: T0, activatedAt: revokedAt }),
    key('nxt', 'next', { publishedAt: at(2 * HOUR - MINUTE) }),
  ];

  it('is replaced as soon as the next key is old enough, not after a rotation interval', () => {
    expect(isRotationDue(standIn(), at(2 * HOUR + 8 * MINUTE), POLICY)).toBe(false);
    expect(isRotationDue(standIn(), at(2 * HOUR + 9 * MINUTE), POLICY)).toBe(true);
    const now = at(2 * HOUR + 9 * MINUTE);
    expect(bare(changesOf(planRotation(standIn(), now, POLICY)))).toEqual([
      { kind: 'retire', kid: 'old', at: now, expiresAt: new Date(now.getTime() + POLICY.retiredRetention) },
      { kind: 'activate', kid: 'nxt', at: now },
      { kind: 'create', alg: 'RS256', state: 'next' },
    ]);
  });
});

describe('the sync margin', () => {
  it('counts a next key as published one sync after its publishedAt', () => {
    const family = [key('a', 'active'), key('n', 'next', { publishedAt: T0 })];
    expect(reasonOf(planRotation(family, at(10 * MINUTE), WITH_MARGIN))).toMatch(/wait 5s/);
    expect(changesOf(planRotation(family, at(10 * MINUTE + 5 * SECOND), WITH_MARGIN))).toHaveLength(3);
  });

  it('keeps a retired key one sync longer: other instances may sign with it that long after', () => {
    const now = at(DAY);
    const [retire] = changesOf(planRotation([key('a', 'active'), key('n', 'next')], now, WITH_MARGIN));
    expect(retire).toMatchObject({ kind: 'retire', expiresAt: new Date(now.getTime() + 5 * SECOND + HOUR) });
  });
});

describe('planRemovedAlgorithms', () => {
  it('retires the active and next keys of algorithms no longer enabled, and nothing else', () => {
    const now = at(HOUR);
    const keys = [
      key('rs-a', 'active'),
      key('rs-n', 'next'),
      key('es-a', 'active', { alg: 'ES256' }),
      key('es-n', 'next', { alg: 'ES256' }),
      key('es-r', 'retired', { alg: 'ES256', retiredAt: T0, expiresAt: at(2 * HOUR) }),
    ];
    expect(bare(planRemovedAlgorithms(keys, ['RS256'], now, POLICY))).toEqual([
      { kind: 'retire', kid: 'es-a', at: now, expiresAt: new Date(now.getTime() + HOUR) },
      { kind: 'retire', kid: 'es-n', at: now, expiresAt: new Date(now.getTime() + HOUR) },
    ]);
    expect(planRemovedAlgorithms(keys, ['RS256', 'ES256'], now, POLICY)).toEqual([]);
  });
});

describe('retiredRetention', () => {
  it('is the longest of the ID token, access token and absolute session lifetimes, in ms', () => {
    expect(retiredRetention({ idToken: 3600, accessToken: 600, sessionMaxAge: 1200 })).toBe(3600 * SECOND);
    expect(retiredRetention({ idToken: 60, accessToken: 7200, sessionMaxAge: 1200 })).toBe(7200 * SECOND);
    expect(retiredRetention({ idToken: 60, accessToken: 600, sessionMaxAge: 21 * 86400 })).toBe(21 * DAY);
  });

  it('follows the absolute session lifetime, not the idle one (a busy session outlives SESSION_TTL)', () => {
    const ttl = { idToken: 3600, accessToken: 3600, session: 14 * 86400, sessionMaxAge: 21 * 86400 };
    expect(retiredRetention(ttl)).toBe(21 * DAY);
  });
});
