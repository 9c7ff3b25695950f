// One log line per request: method, route (never the path with its query, which can carry codes
// and tokens), status, duration and request id. The id comes from X-Request-Id when the caller
// (a proxy, an RP) sent a sane one, or is made here; it is returned on every response, the
// provider's too, and every line logged while the request runs carries it.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { withLogFields, type Logger } from '../logger.js';
import { routeOf, statusOf } from './route-of.js';

/** Short and printable ASCII: anything else (control characters, very long values) is replaced. */
const SANE_ID = /^[!-~]{1,128}$/;

export function requestId(given: string): string {
  return SANE_ID.test(given) ? given : randomUUID();
}

export function requestLog(log: Logger): Middleware {
  return async (ctx, next) => {
    const id = requestId(ctx.get('X-Request-Id'));
    // Set before anything runs: requests handed to the provider write their headers themselves.
    ctx.set('X-Request-Id', id);
    const started = performance.now();
    try {
      await withLogFields({ requestId: id }, next);
    } finally {
      log.infoUnredacted('request', {
        requestId: id,
        method: ctx.method,
        route: routeOf(ctx),
        status: statusOf(ctx),
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  };
}
