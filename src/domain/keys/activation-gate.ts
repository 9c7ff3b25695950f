// KEY_ACTIVATION_GATE as pure functions: whether a scheduled activation of a next key goes ahead
// now, given how many recent JWKS fetchers have received a set that contains it. No I/O, so every
// case is unit-tested on a fake clock; jwks-watch.ts feeds it the counts and records what it says.
//
// - Off (no share configured): never holds.
// - No recent fetchers at all: does not hold. There is nobody to wait for, and waiting cannot
//   bring news: RPs that never fetch (static keys) stay invisible however long we wait, and a
//   fresh installation would otherwise hold every first rotation for the whole maximum delay.
// - The share reached: goes ahead.
// - Otherwise holds, from the first tick that held it, for at most the maximum delay; then goes
//   ahead anyway (released), so a gate can delay a rotation but never stop the schedule.
import type { KeyPolicy, LifecycleKey } from './lifecycle.js';
import { isStandIn } from './lifecycle.js';

export interface GateSettings {
  /** The share of recent fetchers, in (0, 1], that must have received the next key; undefined: off. */
  share: number | undefined;
  /** The longest a scheduled activation is held (ms). */
  maxDelay: number;
}

export interface Pickup {
  /** Distinct fetchers seen within the window. */
  fetchers: number;
  /** Of those, the ones whose latest key set contained the next key. */
  received: number;
}

export type GateDecision =
  | { kind: 'go'; why: 'off' | 'no_fetchers' | 'reached'; share: number | undefined }
  | { kind: 'hold'; share: number; until: Date }
  | { kind: 'released'; share: number; heldSince: Date };

/** received / fetchers, or undefined when there are none. */
export function shareOf(pickup: Pickup): number | undefined {
  return pickup.fetchers > 0 ? pickup.received / pickup.fetchers : undefined;
}

/** `heldSince`: when the gate first held this key (undefined: it has not). */
export function decideActivation(settings: GateSettings, pickup: Pickup, now: Date, heldSince: Date | undefined): GateDecision {
  const share = shareOf(pickup);
  if (settings.share === undefined) return { kind: 'go', why: 'off', share };
  if (share === undefined) return { kind: 'go', why: 'no_fetchers', share };
  if (share >= settings.share) return { kind: 'go', why: 'reached', share };
  const since = heldSince ?? now;
  const until = new Date(since.getTime() + settings.maxDelay);
  if (now >= until) return { kind: 'released', share, heldSince: since };
  return { kind: 'hold', share, until };
}

const later = (...dates: (Date | null | undefined)[]): Date | null => dates.reduce<Date | null>((max, d) => (d && (!max || d > max) ? d : max), null);

/**
 * When the schedule may first activate the family's next key: the active key has signed for
 * KEY_ROTATION_INTERVAL (a stand-in after a revocation: at once), the next key has been served by
 * every instance for JWKS_CACHE_LIFETIME, and the retired key (which the rotation replaces) has
 * expired. Null without a next or an active key. The gate may hold it past this.
 */
export function eligibleAt(keys: LifecycleKey[], policy: KeyPolicy): Date | null {
  const next = keys.find((k) => k.state === 'next');
  const active = keys.find((k) => k.state === 'active');
  if (!next || !active?.activatedAt) return null;
  const published = new Date(next.publishedAt.getTime() + policy.syncMargin + policy.jwksCacheLifetime);
  if (isStandIn(active)) return published;
  const due = new Date(active.activatedAt.getTime() + policy.rotationInterval);
  const retired = keys.find((k) => k.state === 'retired');
  return later(due, published, retired?.expiresAt);
}
