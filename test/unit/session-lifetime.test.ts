import { describe, expect, it } from 'vitest';
import { sessionTtl } from '../../src/oidc/session-lifetime.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const LOGIN = 1_900_000_000; // seconds, as oidc-provider's loginTs
const TTL = { session: 14 * DAY, sessionMaxAge: 21 * DAY };

/** The TTL oidc-provider would save the session with, `seconds` after the sign-in. */
const ttlAt = (seconds: number, session: { loginTs?: number } = { loginTs: LOGIN }) => sessionTtl(TTL, () => (LOGIN + seconds) * 1000)(undefined, session);

describe('sessionTtl', () => {
  it('is the idle SESSION_TTL while the absolute end is further away', () => {
    expect(ttlAt(0)).toBe(14 * DAY);
    expect(ttlAt(7 * DAY)).toBe(14 * DAY);
  });

  it('never lets a save outlive SESSION_MAX_AGE after the sign-in', () => {
    expect(ttlAt(10 * DAY)).toBe(11 * DAY);
    expect(ttlAt(21 * DAY - HOUR)).toBe(HOUR);
    // A fraction of a second rounds down: it ends at the bound or a moment before, never after.
    expect(sessionTtl(TTL, () => (LOGIN + 21 * DAY - 10.5) * 1000)(undefined, { loginTs: LOGIN })).toBe(10);
    for (const at of [0, 1, DAY, 10 * DAY, 20 * DAY, 21 * DAY - 2]) expect(at + ttlAt(at)).toBeLessThanOrEqual(21 * DAY);
  });

  it('gives a session found past its bound the shortest TTL oidc-provider accepts', () => {
    expect(ttlAt(21 * DAY)).toBe(1);
    expect(ttlAt(60 * DAY)).toBe(1);
  });

  it('keeps the idle TTL alone for a session nobody signed in to', () => {
    expect(ttlAt(60 * DAY, {})).toBe(14 * DAY);
  });

  it('starts again with a fresh sign-in', () => {
    const later = LOGIN + 20 * DAY;
    expect(sessionTtl(TTL, () => (LOGIN + 20 * DAY) * 1000)(undefined, { loginTs: later })).toBe(14 * DAY);
  });
});
