// The JWKS watch's numbers in words, the same in the CLI and the console.
import type { FamilyPickup } from './jwks-watch.js';

/** A share as a percentage, rounded down to a tenth (99.99% never shows as 100%). */
export const describeShare = (share: number): string => `${Math.floor(share * 1000) / 10}%`;

/** `3 of 4 (75%)`, or `no recent fetchers`. */
export function describeReceived(family: Pick<FamilyPickup, 'fetchers' | 'received' | 'share'>): string {
  if (family.share === null) return 'no recent fetchers';
  return `${family.received} of ${family.fetchers} (${describeShare(family.share)})`;
}

/** Seconds as the settings write them: `7d`, `12h`, `15m`, or `90s`. */
export function describeDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** `seen within 7d`. */
export function describeWindow(seconds: number): string {
  return `seen within ${describeDuration(seconds)}`;
}

const minute = (iso: string) => iso.replace(/:\d{2}\.\d{3}Z$/, 'Z').replace('T', ' ');

/** `held since ..., until ... at the latest`, `released at ... (maximum delay)`, or `-`. */
export function describeHold(hold: FamilyPickup['hold']): string {
  if (!hold) return '-';
  if (hold.released_at) return `released at ${minute(hold.released_at)} (maximum delay)`;
  return `held since ${minute(hold.since)}, until ${minute(hold.until)} at the latest`;
}
