// GET /metrics for Prometheus. With METRICS_TOKEN set it needs `Authorization: Bearer <token>`
// (a wrong token counts as a failed secret check for the address); without it the endpoint is
// open outside production and off (404) in production, where request counts and heap size are
// nobody else's business.
import { timingSafeEqual, createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Config } from '../config.js';
import type { SecretThrottle } from '../domain/throttling/secret-throttle.js';
import type { Metrics } from './metrics.js';

export interface MetricsRouteDeps {
  metrics: Metrics;
  config: Pick<Config, 'mode' | 'metricsToken'>;
  /** Without it failures are not counted (an app without the database-backed throttle). */
  throttle?: SecretThrottle;
}

/** Compares digests so that the comparison takes the same time whatever the lengths. */
const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export function metricsRouter({ metrics, config, throttle }: MetricsRouteDeps): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const { metricsToken } = config;
    if (!metricsToken && config.mode === 'production') {
      ctx.status = 404;
      ctx.body = { error: 'metrics are off: set METRICS_TOKEN to serve them' };
      return;
    }
    if (metricsToken) {
      const wait = throttle?.addressLockedFor(ctx.ip) ?? 0;
      if (wait > 0) {
        ctx.status = 429;
        ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
        ctx.body = { error: 'too many failed attempts from this address' };
        return;
      }
      const given = /^Bearer +(\S+) *$/i.exec(ctx.get('Authorization'))?.[1];
      if (!given || !sameSecret(given, metricsToken)) {
        if (given) await throttle?.addressFailed(ctx.ip);
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer realm="Sesame metrics"');
        ctx.body = { error: 'send Authorization: Bearer <METRICS_TOKEN>' };
        return;
      }
    }
    ctx.body = await metrics.render();
    ctx.type = metrics.contentType;
  });
  return router;
}
