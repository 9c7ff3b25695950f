// How long oidc-provider keeps a browser session. It saves the session again on every request that
// reads it, each time with the TTL returned here: a fixed number is therefore only an idle timeout,
// and a session used once a day would never end. This caps each save at SESSION_MAX_AGE after the
// session's last sign-in, so however busy a session is, it ends then and the person signs in again.
//
// Counted from `loginTs` (the last time the person signed in: the password page, prompt=login,
// max_age), not from the session record's `iat`: an absolute lifetime exists to make people prove
// they are still there, and a fresh sign-in does exactly that, so it starts the lifetime again. The
// record's `iat` is not the sign-in either: a browser can hold a stored session from before it
// (a logout confirmation's state), which would cut a fresh sign-in short or end it at once.
import type { Config } from '../config.js';
import type { SessionPayload } from '../db/provider-payloads.js';

/** The session field the lifetime depends on (oidc-provider's Session has it, in seconds). */
export type SessionTimes = Pick<SessionPayload, 'loginTs'>;

export type SessionTtl = (ctx: unknown, session: SessionTimes) => number;

export function sessionTtl(ttl: Pick<Config['ttl'], 'session' | 'sessionMaxAge'>, nowMs: () => number = Date.now): SessionTtl {
  return (_ctx, session) => {
    // Nobody signed in (a logout confirmation's state, say): the idle timeout alone.
    if (typeof session.loginTs !== 'number') return ttl.session;
    // Rounded down: the session never outlives its bound, it may end up to a second early.
    const left = Math.floor(session.loginTs + ttl.sessionMaxAge - nowMs() / 1000);
    // oidc-provider takes whole seconds, at least one. A session already past its bound (stored
    // before SESSION_MAX_AGE existed or was shortened) ends a second after the request that found it.
    return Math.max(1, Math.min(ttl.session, left));
  };
}
