// The Koa app: our routes first, the provider mounted last (it answers everything else).
import { mfaPersonOf } from '../oidc/provider.js';
import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config.js';
import { createSignInEvents } from '../domain/accounts/sign-in-events.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { scopeRefusal } from '../oidc/admin-scope.js';
import type { ProviderHolder } from '../oidc/provider-holder.js';
import { assetsRouter } from './assets.js';
import { createInteractionRouter } from './interactions/router.js';
import { selfServiceRouters } from './self-service/sign-up.js';
import { createInvitationRouter } from './self-service/invitations.js';
import { createPasswordResetRouter } from './self-service/password-reset.js';
import { jwksRouter, type JwksDocument } from './jwks.js';
import type { Metrics } from './metrics.js';
import { errorPage } from '../../views/error.js';
import { messagesOf } from './page-language.js';
import { sendPage } from './send-page.js';
import { fromOwnOrigin } from './middleware/csrf.js';
import { errorHandler, logAppErrors } from './middleware/errors.js';
import { requestOrigin } from './middleware/request-origin.js';
import { metricsRouter } from './metrics-route.js';
import { refuseLockedAddress } from './provider-gate.js';
import { requestLog } from './request-log.js';
import { serveDiscovery } from './discovery-route.js';
import { routersBySegment } from './route-gate.js';
import { refuseWhileNotSigning } from './signing-gate.js';

export interface AppDeps {
  config: Config;
  holder: ProviderHolder;
  /** What the sign-in pages and the gates in front of the provider use. */
  services: Pick<
    Services,
    | 'accounts'
    | 'audit'
    | 'clients'
    | 'signInThrottle'
    | 'secretThrottle'
    | 'mailer'
    | 'passwordReset'
    | 'invitations'
    | 'selfService'
    | 'signUp'
    | 'secondFactors'
    | 'payloads'
  > &
    Partial<Pick<Services, 'passkeys'>>;
  /** Mounted after our own routes, before the provider: the admin API and the console. */
  routers?: Router[];
  metrics: Metrics;
  jwks: JwksDocument;
  /** Counts a /jwks fetch for its fetcher (the JWKS watch's tally). */
  jwksFetched?(source: string, userAgent: string | undefined, kids: string): void;
  log: Logger;
  /** Undefined when ready; otherwise why not (database unreachable or not writable, shutting down). */
  readiness(): Promise<string | undefined>;
}

/** oidc-provider's resume endpoint: where the sign-in pages send the browser back to (303). */
const RESUME = /^\/auth\/[^/?]+\/?(\?|$)/;

/**
 * The resume endpoint reads its interaction cookie and nothing else; the provider itself never
 * puts a query on its URL. A query there is read only by the provider's error handler, which
 * fails with a TypeError (500) when the cookie is missing and the query names a registered
 * client without a redirect_uri (oidc-provider 9.13, oneRedirectUriClients runs before the
 * request's parameters exist). Dropping the query leaves the plain "expired" error page.
 */
function dropResumeQuery(req: IncomingMessage): void {
  if (req.url && RESUME.test(req.url) && req.url.includes('?')) req.url = req.url.slice(0, req.url.indexOf('?'));
}

function operationsRouter({ readiness }: AppDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    // The app only exists once keys were loaded and a provider built from them.
    const reason = await readiness();
    if (reason === undefined) {
      ctx.body = { status: 'ready' };
      return;
    }
    ctx.status = 503;
    ctx.body = { status: 'unavailable', reason };
  });
  return router;
}

export function createApp(deps: AppDeps): Koa {
  const { services } = deps;
  const app = new Koa();
  app.keys = deps.config.cookieKeys;
  // The source address, scheme and host come from requestOrigin (TRUST_PROXY, ISSUER), not Koa.
  app.proxy = false;
  // Koa's default handler prints stacks to stderr; errors are logged (once, as JSON) instead.
  app.silent = true;
  logAppErrors(app, deps.log);
  const origin = requestOrigin(deps.config.issuer, deps.config.trustProxy);
  // Sign-up (SIGNUP=open) and email verification, when mail can be sent.
  const selfService = selfServiceRouters({
    services,
    provider: () => deps.holder.current(),
    signup: deps.config.signup,
    log: deps.log,
  });

  // First: the request id, and the request's log line covers everything below.
  app.use(requestLog(deps.log));
  app.use(origin.middleware());
  app.use(deps.metrics.middleware());
  app.use(errorHandler(deps.log));
  app.use(
    routersBySegment([
      operationsRouter(deps),
      metricsRouter({
        metrics: deps.metrics,
        config: deps.config,
        throttle: services.secretThrottle,
      }),
      jwksRouter(deps.jwks, { rateLimit: deps.config.jwksWatch.rateLimit, ...(deps.jwksFetched ? { fetched: deps.jwksFetched } : {}) }),
      assetsRouter(),
      createInteractionRouter({
        provider: () => deps.holder.current(),
        holdWrites: (work) => services.payloads.holdingWrites(work),
        accounts: services.accounts,
        throttle: services.signInThrottle,
        events: createSignInEvents(
          {
            record: async (by, entry) => {
              deps.metrics.signInEvent(entry.action);
              await services.audit.record(by, entry);
            },
          },
          deps.log,
        ),
        scopeRefusal: scopeRefusal((clientId) => services.clients.isAdminClient(clientId)),
        signUp: selfService.signUpOpen,
        passwordReset: services.passwordReset,
        secondFactors: services.secondFactors,
        mfa: {
          policy: deps.config.mfaPolicy,
          person: mfaPersonOf(services.accounts, services.secondFactors, services.passkeys),
          enrolment: services.secondFactors,
        },
        ...(services.passkeys ? { passkeys: services.passkeys } : {}),
      }),
      ...selfService.routers,
      createPasswordResetRouter(services),
      createInvitationRouter(services),
      ...(deps.routers ?? []),
    ]),
  );
  app.use(async (ctx) => {
    if (await refuseLockedAddress(ctx, services.secretThrottle)) return;
    if (refuseWhileNotSigning(ctx, deps.holder)) return;
    if (serveDiscovery(ctx, deps.holder.current())) return;
    // The provider's own logout confirmation form carries its own token (bound to the session);
    // it gets the same check of where the POST comes from as our forms.
    if (ctx.method === 'POST' && ctx.path === '/session/end/confirm' && !fromOwnOrigin(ctx)) {
      const t = messagesOf(ctx);
      sendPage(ctx, errorPage(t, { title: t.errors.formNotAccepted, message: t.errors.crossSite }), 403);
      return;
    }
    dropResumeQuery(ctx.req);
    // Hand the raw request to oidc-provider's own Koa app.
    origin.prepareForProvider(ctx.req, ctx.ip);
    ctx.respond = false;
    await deps.holder.handler()(ctx.req, ctx.res);
  });
  return app;
}
