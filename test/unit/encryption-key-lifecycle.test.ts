// Encryption keys' lifecycle on a fake clock: the same plans as signing keys, with a retention
// that lasts exactly as long as an RP may still encrypt to a retired key (lifecycle.ts).
import { describe, expect, it } from 'vitest';
import { isEncryptionAlg, keyUse } from '../../src/domain/keys/encryption-keys.js';
import {
  encryptionRetention,
  planExpiry,
  planRemovedAlgorithms,
  planRevocation,
  planRotation,
  retiredUntil,
  type KeyChange,
  type KeyPolicy,
  type LifecycleKey,
  type Plan,
} from '../../src/domain/keys/lifecycle.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const JWKS_CACHE = 15 * MINUTE;
const REQUEST_OBJECT = 10 * MINUTE;
const SYNC = 5 * SECOND;
const SIGNING: KeyPolicy = { rotationInterval: 30 * DAY, jwksCacheLifetime: JWKS_CACHE, retiredRetention: 21 * DAY, syncMargin: SYNC };
const ENCRYPTION: KeyPolicy = { ...SIGNING, retiredRetention: encryptionRetention({ jwksCacheLifetime: JWKS_CACHE, requestObjectLifetime: REQUEST_OBJECT }) };

function key(kid: string, state: string, fields: Partial<LifecycleKey> = {}): LifecycleKey {
  return { kid, alg: 'RSA-OAEP-256', state, publishedAt: T0, activatedAt: state === 'active' ? T0 : null, retiredAt: null, expiresAt: null, ...fields };
}

const changesOf = (plan: Plan): KeyChange[] => {
  if (!plan.ok) throw new Error(`expected an accepted plan, got: ${plan.reason}`);
  return plan.changes;
};

describe('encryption keys', () => {
  it('are told apart by their algorithm', () => {
    expect(['RSA-OAEP-256', 'ECDH-ES'].map(keyUse)).toEqual(['enc', 'enc']);
    expect(['RS256', 'PS256', 'ES256', 'EdDSA'].map(keyUse)).toEqual(['sig', 'sig', 'sig', 'sig']);
    expect(isEncryptionAlg('RSA-OAEP')).toBe(false);
  });

  it('stay retired for the JWKS cache lifetime plus the request-object lifetime, plus the sync margin', () => {
    expect(ENCRYPTION.retiredRetention).toBe(25 * MINUTE);
    const rotatedAt = at(31 * DAY);
    const retire = changesOf(planRotation([key('cur', 'active'), key('nxt', 'next')], rotatedAt, ENCRYPTION)).find((c) => c.kind === 'retire');
    expect(retire).toMatchObject({ kind: 'retire', kid: 'cur', expiresAt: new Date(rotatedAt.getTime() + SYNC + JWKS_CACHE + REQUEST_OBJECT) });
    // Not the signing keys' retention, which follows what a key signed (days here).
    expect(retiredUntil(rotatedAt, SIGNING).getTime() - rotatedAt.getTime()).toBe(SYNC + 21 * DAY);
  });

  it('keep decrypting for the last request object an RP could encrypt to them, and are deleted right after', () => {
    const retiredAt = at(31 * DAY);
    const expiresAt = retiredUntil(retiredAt, ENCRYPTION);
    const retired = key('old', 'retired', { retiredAt, expiresAt });
    // The last instance to hear of the retirement lists the key as active until one sync later; an
    // RP fetches that JWKS, keeps it a full cache lifetime, encrypts a request object at the very
    // end, and the request object arrives just before its exp.
    const lastFetch = retiredAt.getTime() + SYNC;
    const lastEncryption = lastFetch + JWKS_CACHE;
    const lastArrival = lastEncryption + REQUEST_OBJECT - 1;
    expect(planExpiry([retired], new Date(lastArrival))).toEqual([]);
    expect(planExpiry([retired], expiresAt)).toEqual([{ kind: 'delete', kid: 'old', reason: expect.any(String) }]);
  });

  it("rotate under the signing keys' publication rule: the next key must have been cached by every RP", () => {
    const plan = planRotation([key('cur', 'active'), key('nxt', 'next', { publishedAt: at(DAY) })], at(DAY + 5 * MINUTE), ENCRYPTION);
    expect(plan.ok).toBe(false);
    expect(
      changesOf(planRotation([key('cur', 'active'), key('nxt', 'next', { publishedAt: at(DAY) })], at(DAY + JWKS_CACHE + SYNC), ENCRYPTION)).map((c) => c.kind),
    ).toEqual(['retire', 'activate', 'create']);
  });

  it('are revoked at once, a retired one too (nothing takes its place)', () => {
    const retired = key('old', 'retired', { retiredAt: T0, expiresAt: at(25 * MINUTE) });
    const changes = changesOf(planRevocation([retired, key('cur', 'active'), key('nxt', 'next')], 'old', at(MINUTE), ENCRYPTION));
    expect(changes).toEqual([{ kind: 'revoke', kid: 'old', at: at(MINUTE), reason: expect.any(String) }]);
  });

  it('of an algorithm taken out of ENCRYPTION_ALGS retire with the encryption retention, and say why', () => {
    const now = at(DAY);
    const changes = planRemovedAlgorithms([key('cur', 'active'), key('nxt', 'next')], [], now, ENCRYPTION, 'ENCRYPTION_ALGS');
    expect(changes).toEqual([
      { kind: 'retire', kid: 'cur', at: now, expiresAt: retiredUntil(now, ENCRYPTION), reason: 'algorithm RSA-OAEP-256 is no longer in ENCRYPTION_ALGS' },
      { kind: 'retire', kid: 'nxt', at: now, expiresAt: retiredUntil(now, ENCRYPTION), reason: 'algorithm RSA-OAEP-256 is no longer in ENCRYPTION_ALGS' },
    ]);
  });
});
