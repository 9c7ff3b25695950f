// KEY_ACTIVATION_GATE's decision and a next key's eligibility, on a fake clock.
import { describe, expect, it } from 'vitest';
import { decideActivation, eligibleAt, shareOf } from '../../src/domain/keys/activation-gate.js';
import type { KeyPolicy, LifecycleKey } from '../../src/domain/keys/lifecycle.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = new Date('2031-05-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const GATE = { share: 0.9, maxDelay: DAY };

describe('decideActivation', () => {
  it('never holds when the gate is off, whatever the numbers', () => {
    expect(decideActivation({ share: undefined, maxDelay: DAY }, { fetchers: 10, received: 0 }, T0, undefined)).toEqual({ kind: 'go', why: 'off', share: 0 });
  });

  it('does not hold without recent fetchers: there is nobody to wait for', () => {
    expect(decideActivation(GATE, { fetchers: 0, received: 0 }, T0, undefined)).toEqual({ kind: 'go', why: 'no_fetchers', share: undefined });
  });

  it('goes ahead once the share is reached, exactly at the threshold too', () => {
    expect(decideActivation(GATE, { fetchers: 10, received: 9 }, T0, undefined)).toMatchObject({ kind: 'go', why: 'reached' });
    expect(decideActivation({ share: 1, maxDelay: DAY }, { fetchers: 3, received: 3 }, T0, at(-HOUR))).toMatchObject({ kind: 'go', why: 'reached' });
  });

  it('holds below the share, until the maximum delay counted from the first hold', () => {
    expect(decideActivation(GATE, { fetchers: 10, received: 8 }, T0, undefined)).toEqual({ kind: 'hold', share: 0.8, until: at(DAY) });
    // Later ticks keep the deadline of the first.
    expect(decideActivation(GATE, { fetchers: 10, received: 8 }, at(5 * HOUR), T0)).toEqual({ kind: 'hold', share: 0.8, until: at(DAY) });
    expect(decideActivation(GATE, { fetchers: 10, received: 8 }, at(DAY - 1), T0)).toMatchObject({ kind: 'hold' });
  });

  it('releases at the maximum delay without the share', () => {
    expect(decideActivation(GATE, { fetchers: 10, received: 1 }, at(DAY), T0)).toEqual({ kind: 'released', share: 0.1, heldSince: T0 });
    expect(decideActivation(GATE, { fetchers: 10, received: 1 }, at(3 * DAY), T0)).toMatchObject({ kind: 'released' });
  });

  it('shareOf: received over fetchers, undefined without any', () => {
    expect(shareOf({ fetchers: 4, received: 3 })).toBe(0.75);
    expect(shareOf({ fetchers: 0, received: 0 })).toBeUndefined();
  });
});

describe('eligibleAt', () => {
  const POLICY: KeyPolicy = { rotationInterval: DAY, jwksCacheLifetime: 10 * MINUTE, retiredRetention: HOUR, syncMargin: 5000 };
  const key = (state: string, fields: Partial<LifecycleKey> = {}): LifecycleKey => ({
    kid: state,
    alg: 'ES256',
    state,
    publishedAt: T0,
    activatedAt: null,
    retiredAt: null,
    expiresAt: null,
    ...fields,
  });

  it('is when the active key has signed for the rotation interval, when the next key is old enough', () => {
    expect(eligibleAt([key('active', { activatedAt: T0 }), key('next')], POLICY)).toEqual(at(DAY));
  });

  it('waits for a young next key to be served for JWKS_CACHE_LIFETIME', () => {
    const young = key('next', { publishedAt: at(DAY - MINUTE) });
    expect(eligibleAt([key('active', { activatedAt: T0 }), young], POLICY)).toEqual(at(DAY - MINUTE + 5000 + 10 * MINUTE));
  });

  it('waits for the retired key the rotation would replace to expire', () => {
    const keys = [key('active', { activatedAt: T0 }), key('next'), key('retired', { retiredAt: T0, expiresAt: at(DAY + HOUR) })];
    expect(eligibleAt(keys, POLICY)).toEqual(at(DAY + HOUR));
  });

  it('for a stand-in after a revocation: as soon as the next key is old enough', () => {
    const standIn = key('active', { activatedAt: at(HOUR), retiredAt: T0 });
    expect(eligibleAt([standIn, key('next', { publishedAt: at(HOUR) })], POLICY)).toEqual(at(HOUR + 5000 + 10 * MINUTE));
  });

  it('is null without a next or an active key', () => {
    expect(eligibleAt([key('active', { activatedAt: T0 })], POLICY)).toBeNull();
    expect(eligibleAt([key('next')], POLICY)).toBeNull();
  });
});
