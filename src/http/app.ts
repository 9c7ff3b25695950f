// The Koa app: our routes first, the provider mounted last (it answers everything else).
import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config.js';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { Logger } from '../logger.js';
import type { ProviderHolder } from '../oidc/provider-holder.js';
import { assetsRouter } from './assets.js';
import { createInteractionRouter } from './interactions/router.js';
import { jwksRouter, type JwksDocument } from './jwks.js';
import type { Metrics } from './metrics.js';
import { errorHandler } from './middleware/errors.js';

export interface AppDeps {
  config: Config;
  holder: ProviderHolder;
  accounts: AccountService;
  metrics: Metrics;
  jwks: JwksDocument;
  log: Logger;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
}

function operationsRouter({ metrics, ping }: AppDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await ping();
      // The holder only exists once keys were loaded and a provider built from them.
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: 'database unreachable' };
    }
  });
  router.get('/metrics', (ctx) => {
    ctx.type = 'text/plain; version=0.0.4';
    ctx.body = metrics.render();
  });
  return router;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.keys = deps.config.cookieKeys;
  app.proxy = deps.config.trustProxy;
  // Koa's default handler prints stacks to stderr; errors are logged by errorHandler instead.
  app.silent = true;

  app.use(deps.metrics.middleware());
  app.use(errorHandler(deps.log));
  for (const router of [
    operationsRouter(deps),
    jwksRouter(deps.jwks),
    assetsRouter(),
    createInteractionRouter({
      provider: () => deps.holder.current(),
      accounts: deps.accounts,
      log: (event, fields) => deps.log.info(event, fields),
    }),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(async (ctx) => {
    // Hand the raw request to oidc-provider's own Koa app.
    ctx.respond = false;
    await deps.holder.handler()(ctx.req, ctx.res);
  });
  return app;
}
