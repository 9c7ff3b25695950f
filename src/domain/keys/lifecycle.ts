// The signing-key lifecycle as pure functions: given the keys of one algorithm family, the time and
// the policy, say what should change, or why not. No I/O, so every rule is unit-tested on a fake
// clock, and the CLI, the scheduler and the admin API all apply the same decisions.
//
//   next ──rotate──▶ active ──rotate──▶ retired ──expiresAt──▶ deleted
//     └──────────────┴───────────────────┴──revoke──▶ revoked (gone from the JWKS at once)
//
// Two detours: when the active key is revoked while the next key is still too new for every RP
// to hold it, the retired key (which every RP holds) is reinstated to sign until the next key
// may take over; it is told apart by its retiredAt, and the next maintenance retires it again. And
// the keys of an algorithm taken out of SIGNING_ALGS retire, to be deleted when their time is up.
//
// Encryption keys (`use: "enc"`, ENCRYPTION_ALGS) go through the same states under the same rules;
// only how long a retired one stays differs (encryptionRetention): RPs encrypt to what they have
// cached, so a retired encryption key must keep decrypting until no RP can still encrypt to it.

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
  /**
   * How long after a change every instance serves it (KEY_SYNC_INTERVAL, ms): a key counts as
   * published this much after its publishedAt, and other instances may sign with a key this long
   * after it retired.
   */
  syncMargin: number;
}

/** A change to one key. `create` makes a new key; the service generates its material. */
export type KeyChange =
  | { kind: 'activate'; kid: string; at: Date; reason: string }
  | { kind: 'reinstate'; kid: string; at: Date; reason: string }
  | { kind: 'retire'; kid: string; at: Date; expiresAt: Date; reason: string }
  | { kind: 'delete'; kid: string; reason: string }
  | { kind: 'revoke'; kid: string; at: Date; reason: string }
  | { kind: 'create'; alg: string; state: 'active' | 'next'; reason: string };

/**
 * `warnings`: what the plan risks, for whoever asked for it (an operator, a log). A refusal that
 * forcing would override is `forceable`; its reason says so without naming a channel's control
 * (the CLI's --force, the API's force, the console's button each add their own).
 */
export type Plan = { ok: true; changes: KeyChange[]; warnings?: string[] } | { ok: false; reason: string; forceable?: true };

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

/**
 * How long a retired encryption key stays published and decrypts: an RP that fetched the JWKS just
 * before the retirement may encrypt a request object to it until its cache expires
 * (JWKS_CACHE_LIFETIME), and that request object may reach us until it expires
 * (REQUEST_OBJECT_LIFETIME). retiredUntil adds the sync margin: other instances may list the key as
 * active that much longer. Nothing is signed with it, so the signing retention does not apply.
 */
export function encryptionRetention(lifetimes: { jwksCacheLifetime: number; requestObjectLifetime: number }): number {
  return lifetimes.jwksCacheLifetime + lifetimes.requestObjectLifetime;
}

/** How long RPs have been able to fetch a key: from when every instance serves it. */
function publishedFor(key: LifecycleKey, now: Date, policy: KeyPolicy): number {
  return now.getTime() - key.publishedAt.getTime() - policy.syncMargin;
}

/** An active key that was retired before: a stand-in after a revocation, to be replaced soon. */
export function isStandIn(key: LifecycleKey | undefined): boolean {
  return key?.state === 'active' && key.retiredAt !== null;
}

/**
 * True when the family's active key has signed for a full rotation interval, or is a stand-in
 * whose successor is now old enough to take over.
 */
export function isRotationDue(keys: LifecycleKey[], now: Date, policy: KeyPolicy): boolean {
  const active = byState(keys, 'active');
  if (!active?.activatedAt) return false;
  if (isStandIn(active)) {
    const next = byState(keys, 'next');
    return next !== undefined && publishedFor(next, now, policy) >= policy.jwksCacheLifetime;
  }
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

  const age = publishedFor(next, now, policy);
  if (!force && age < policy.jwksCacheLifetime) {
    return {
      ok: false,
      forceable: true,
      reason:
        `next key ${next.kid} has been served by every instance for ${seconds(Math.max(0, age))}, but RPs may cache the JWKS for ` +
        `${seconds(policy.jwksCacheLifetime)}: wait ${seconds(policy.jwksCacheLifetime - age)} or force the rotation ` +
        `(an RP whose cached JWKS lacks it fails to verify new tokens until it refetches)`,
    };
  }
  const changes: KeyChange[] = [];
  if (retired && active) {
    // At most one retired key per family: a rotation now would drop the current one.
    if (!force && retired.expiresAt && retired.expiresAt > now) {
      return {
        ok: false,
        forceable: true,
        reason:
          `retired key ${retired.kid} still verifies tokens until ${retired.expiresAt.toISOString()}; rotating now ` +
          `would remove it early: wait, or force the rotation (tokens it signed then fail verification)`,
      };
    }
    changes.push({ kind: 'delete', kid: retired.kid, reason: `replaced by a newer retired key${forced}` });
  }
  if (active) {
    changes.push({
      kind: 'retire',
      kid: active.kid,
      at: now,
      expiresAt: retiredUntil(now, policy),
      reason: isStandIn(active) ? `its successor may sign now${forced}` : `rotation${forced}`,
    });
  }
  changes.push({ kind: 'activate', kid: next.kid, at: now, reason: `rotation${forced}` });
  changes.push({ kind: 'create', alg: next.alg, state: 'next', reason: 'rotation' });
  return { ok: true, changes };
}

/**
 * Until when a key retired at `now` stays published: everything it signed has expired, counted
 * from the last moment any instance may still sign with it (one sync later).
 */
export function retiredUntil(now: Date, policy: KeyPolicy): Date {
  return new Date(now.getTime() + policy.syncMargin + policy.retiredRetention);
}

/**
 * The active and next keys of algorithms no longer in SIGNING_ALGS retire: they stay published
 * until what they signed has expired, then go like any retired key. None of them signs again.
 */
export function planRemovedAlgorithms(keys: LifecycleKey[], enabled: readonly string[], now: Date, policy: KeyPolicy, setting = 'SIGNING_ALGS'): KeyChange[] {
  return keys
    .filter((k) => !enabled.includes(k.alg) && (k.state === 'active' || k.state === 'next'))
    .map((k) => ({
      kind: 'retire',
      kid: k.kid,
      at: now,
      expiresAt: retiredUntil(now, policy),
      reason: `algorithm ${k.alg} is no longer in ${setting}`,
    }));
}

/** Retired keys whose retention has passed lose their row (and with it the private key). */
export function planExpiry(keys: LifecycleKey[], now: Date): KeyChange[] {
  return keys
    .filter((k) => k.state === 'retired' && k.expiresAt !== null && k.expiresAt <= now)
    .map((k) => ({ kind: 'delete', kid: k.kid, reason: 'retention over: everything it signed has expired' }));
}

/**
 * Emergency removal. The key leaves the JWKS at once and must not sign one more token; the family
 * always ends with a next key again. When it was the active key, what signs instead:
 * - the next key, when every RP has had it long enough (the publication rule);
 * - otherwise the retired key, which every RP still holds (unless it is gone or revoked too),
 *   reinstated until the next key is old enough (the next maintenance then promotes it);
 * - otherwise the next key anyway, with a warning: RPs whose cached JWKS predates it fail to
 *   verify new tokens until they refetch;
 * - and with no next key at all, a new key.
 */
export function planRevocation(keys: LifecycleKey[], kid: string, now: Date, policy: KeyPolicy): Plan {
  const key = keys.find((k) => k.kid === kid);
  if (!key) return { ok: false, reason: `no key with kid ${kid}` };
  if (key.state === 'revoked') return { ok: false, reason: `key ${kid} is already revoked` };
  const changes: KeyChange[] = [{ kind: 'revoke', kid, at: now, reason: 'revoked by an operator' }];
  const warnings: string[] = [];
  const next = byState(keys, 'next');
  const retired = keys.find((k) => k.state === 'retired' && k.kid !== kid && (k.expiresAt === null || k.expiresAt > now));
  if (key.state === 'active') {
    const age = next ? publishedFor(next, now, policy) : 0;
    if (next && age >= policy.jwksCacheLifetime) {
      changes.push({ kind: 'activate', kid: next.kid, at: now, reason: `the active key ${kid} was revoked` });
    } else if (next && retired) {
      changes.push({
        kind: 'reinstate',
        kid: retired.kid,
        at: now,
        reason: `the active key ${kid} was revoked and next key ${next.kid} is too new for every RP to hold it: the retired key signs until it is`,
      });
    } else if (next) {
      changes.push({ kind: 'activate', kid: next.kid, at: now, reason: `the active key ${kid} was revoked (next key promoted early)` });
      warnings.push(
        `next key ${next.kid} has been served by every instance for ${seconds(Math.max(0, age))} of the ${seconds(policy.jwksCacheLifetime)} RPs may cache the JWKS, ` +
          `and no retired key could sign instead: for up to ${seconds(policy.jwksCacheLifetime - Math.max(0, age))}, an RP whose cached JWKS lacks it ` +
          `fails to verify new tokens until it refetches (jose refetches an unknown kid at most every 30s; jwks-rsa on an unknown kid)`,
      );
    } else {
      // Nothing published to take over: signing with a fresh key beats signing with a compromised one.
      changes.push({ kind: 'create', alg: key.alg, state: 'active', reason: `the active key ${kid} was revoked and there was no next key` });
      warnings.push(`there was no next key: a new key signs at once, and RPs fail to verify its tokens until they refetch the JWKS`);
    }
    // The reinstated retired key leaves the next key in place; otherwise a new next key follows.
    if (!(next && retired && age < policy.jwksCacheLifetime)) {
      changes.push({ kind: 'create', alg: key.alg, state: 'next', reason: `key ${kid} was revoked` });
    }
  } else if (key.state === 'next') {
    changes.push({ kind: 'create', alg: key.alg, state: 'next', reason: `the next key ${kid} was revoked` });
  }
  return warnings.length > 0 ? { ok: true, changes, warnings } : { ok: true, changes };
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
