// The signing-key lifecycle as pure functions: given the keys of one algorithm family, the time and
// the policy, say what should change, or why not. No I/O, so every rule is unit-tested on a fake
// clock, and the CLI, the scheduler and the admin API all apply the same decisions.
//
//   next ──rotate──▶ active ──rotate──▶ retired ──expiresAt──▶ deleted
//     └──────────────┴───────────────────┴──revoke──▶ revoked (gone from the JWKS at once)

export type KeyState = 'next' | 'active' | 'retired' | 'revoked';

export interface LifecycleKey {
  kid: string;
  alg: string;
  state: string;
  publishedAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  expiresAt: Date | null;
}

export interface KeyPolicy {
  /** How long a key signs before the next one takes over (ms). */
  rotationInterval: number;
  /** How long RPs may cache the JWKS: a next key must be published this long before it signs (ms). */
  jwksCacheLifetime: number;
  /** How long a retired key stays published: until everything it signed has expired (ms). */
  retiredRetention: number;
}

/** A change to one key. `create` makes a new key; the service generates its material. */
export type KeyChange =
  | { kind: 'activate'; kid: string; at: Date; reason: string }
  | { kind: 'retire'; kid: string; at: Date; expiresAt: Date; reason: string }
  | { kind: 'delete'; kid: string; reason: string }
  | { kind: 'revoke'; kid: string; at: Date; reason: string }
  | { kind: 'create'; alg: string; state: 'active' | 'next'; reason: string };

export type Plan = { ok: true; changes: KeyChange[] } | { ok: false; reason: string };

const seconds = (ms: number) => `${Math.ceil(ms / 1000)}s`;

function byState(keys: LifecycleKey[], state: KeyState): LifecycleKey | undefined {
  return keys.find((k) => k.state === state);
}

/**
 * Everything a retired key could have signed, and an RP or the provider may still verify, has
 * expired once the longest of these has passed: ID tokens, JWT access tokens, and id_token_hint at
 * logout. oidc-provider accepts an expired hint, so that one counts for as long as a session lives;
 * the idle SESSION_TTL sets no bound on that (every use starts it again), the absolute
 * SESSION_MAX_AGE does. A hint that outlives even this still logs out, without the hint, through
 * the confirmation page (oidc/logout-hint.ts).
 */
export function retiredRetention(ttlSeconds: { idToken: number; accessToken: number; sessionMaxAge: number }): number {
  return Math.max(ttlSeconds.idToken, ttlSeconds.accessToken, ttlSeconds.sessionMaxAge) * 1000;
}

/** True when the family's active key has signed for a full rotation interval. */
export function isRotationDue(keys: LifecycleKey[], now: Date, policy: KeyPolicy): boolean {
  const active = byState(keys, 'active');
  if (!active?.activatedAt) return false;
  return now.getTime() - active.activatedAt.getTime() >= policy.rotationInterval;
}

/**
 * next becomes active, active becomes retired (published until everything it signed has
 * expired), and a new next key is published. Refused, unless forced, when RPs may not have the
 * next key cached yet, or when the retired key still verifies tokens and would be removed early.
 */
export function planRotation(keys: LifecycleKey[], now: Date, policy: KeyPolicy, options: { force?: boolean } = {}): Plan {
  const next = byState(keys, 'next');
  const active = byState(keys, 'active');
  const retired = byState(keys, 'retired');
  if (!next) return { ok: false, reason: 'there is no next key to promote' };
  const force = options.force === true;
  const forced = force ? ' (forced)' : '';

  const publishedFor = now.getTime() - next.publishedAt.getTime();
  if (!force && publishedFor < policy.jwksCacheLifetime) {
    return {
      ok: false,
      reason:
        `next key ${next.kid} has been published for ${seconds(publishedFor)}, but RPs may cache the JWKS for ` +
        `${seconds(policy.jwksCacheLifetime)}: wait ${seconds(policy.jwksCacheLifetime - publishedFor)} or use --force ` +
        `(an RP whose cached JWKS lacks it fails to verify new tokens until it refetches)`,
    };
  }
  const changes: KeyChange[] = [];
  if (retired && active) {
    // At most one retired key per family: a rotation now would drop the current one.
    if (!force && retired.expiresAt && retired.expiresAt > now) {
      return {
        ok: false,
        reason:
          `retired key ${retired.kid} still verifies tokens until ${retired.expiresAt.toISOString()}; rotating now ` +
          `would remove it early: wait, or use --force (tokens it signed then fail verification)`,
      };
    }
    changes.push({ kind: 'delete', kid: retired.kid, reason: `replaced by a newer retired key${forced}` });
  }
  if (active) {
    changes.push({
      kind: 'retire',
      kid: active.kid,
      at: now,
      expiresAt: new Date(now.getTime() + policy.retiredRetention),
      reason: `rotation${forced}`,
    });
  }
  changes.push({ kind: 'activate', kid: next.kid, at: now, reason: `rotation${forced}` });
  changes.push({ kind: 'create', alg: next.alg, state: 'next', reason: 'rotation' });
  return { ok: true, changes };
}

/** Retired keys whose retention has passed lose their row (and with it the private key). */
export function planExpiry(keys: LifecycleKey[], now: Date): KeyChange[] {
  return keys
    .filter((k) => k.state === 'retired' && k.expiresAt !== null && k.expiresAt <= now)
    .map((k) => ({ kind: 'delete', kid: k.kid, reason: 'retention over: everything it signed has expired' }));
}

/**
 * Emergency removal. The key leaves the JWKS at once; if it was active, next takes over straight
 * away (it is published, and a compromised key must not sign one more token); the family always
 * ends with a next key again.
 */
export function planRevocation(keys: LifecycleKey[], kid: string, now: Date): Plan {
  const key = keys.find((k) => k.kid === kid);
  if (!key) return { ok: false, reason: `no key with kid ${kid}` };
  if (key.state === 'revoked') return { ok: false, reason: `key ${kid} is already revoked` };
  const changes: KeyChange[] = [{ kind: 'revoke', kid, at: now, reason: 'revoked by an operator' }];
  const next = byState(keys, 'next');
  if (key.state === 'active') {
    if (next) {
      changes.push({ kind: 'activate', kid: next.kid, at: now, reason: `the active key ${kid} was revoked` });
    } else {
      // Nothing published to take over: signing with a fresh key beats signing with a compromised one.
      changes.push({ kind: 'create', alg: key.alg, state: 'active', reason: `the active key ${kid} was revoked and there was no next key` });
    }
    changes.push({ kind: 'create', alg: key.alg, state: 'next', reason: `key ${kid} was revoked` });
  } else if (key.state === 'next') {
    changes.push({ kind: 'create', alg: key.alg, state: 'next', reason: `the next key ${kid} was revoked` });
  }
  return { ok: true, changes };
}

/**
 * What a family needs to be complete. Normally only a next key (after a revocation). A family
 * without an active key promotes its next key; a family with no key at all is new (the first
 * start, or an algorithm just added to SIGNING_ALGS, which no client uses yet), so its first key
 * may sign at once.
 */
export function planCompletion(keys: LifecycleKey[], alg: string, now: Date): KeyChange[] {
  const active = byState(keys, 'active');
  const next = byState(keys, 'next');
  if (active && next) return [];
  if (active) return [{ kind: 'create', alg, state: 'next', reason: 'the family had no next key' }];
  if (next) {
    return [
      { kind: 'activate', kid: next.kid, at: now, reason: 'the family had no active key' },
      { kind: 'create', alg, state: 'next', reason: 'the family had no active key' },
    ];
  }
  return [
    { kind: 'create', alg, state: 'active', reason: 'initial key set' },
    { kind: 'create', alg, state: 'next', reason: 'initial key set' },
  ];
}
