// The Koa app: our routes first, the provider mounted last (it answers everything else).
import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config.js';
import type { Container } from '../container.js';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { AuditEventInput } from '../domain/audit/audit-service.js';
import type { Logger } from '../logger.js';
import { scopeRefusal } from '../oidc/admin-scope.js';
import type { ProviderHolder } from '../oidc/provider-holder.js';
import { createAdminApiRouter } from './admin/api.js';
import { assetsRouter } from './assets.js';
import { createConsoleRouter } from './console/router.js';
import { createInteractionRouter } from './interactions/router.js';
import { jwksRouter, type JwksDocument } from './jwks.js';
import type { Metrics } from './metrics.js';
import { errorHandler } from './middleware/errors.js';

export interface AppDeps {
  config: Config;
  holder: ProviderHolder;
  accounts: AccountService;
  /** The services the admin API (/admin/api/v1) works on; without it the API is not mounted. */
  container?: Container;
  /** The audit log the sign-in pages record to (sign-ins, failures, consent). */
  audit?: { record(event: AuditEventInput): Promise<void> };
  metrics: Metrics;
  jwks: JwksDocument;
  log: Logger;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * A sign-in page event as an audit record: who acted (`user:<sub>`; `anonymous` for a failed
 * sign-in, whose target is the email typed), on what, and from which address.
 */
function interactionAuditEvent(event: string, fields: Record<string, unknown>, ip: string): AuditEventInput | undefined {
  const accountId = text(fields.accountId);
  const clientId = text(fields.client_id);
  const actor = accountId ? `user:${accountId}` : 'anonymous';
  const client = clientId ? `client:${clientId}` : undefined;
  const details = clientId ? { client_id: clientId } : {};
  switch (event) {
    case 'login.failed':
      return { actor: 'anonymous', action: event, target: text(fields.email), sourceAddress: ip, details };
    case 'login.succeeded':
      return { actor, action: event, target: accountId ? actor : undefined, sourceAddress: ip, details: { ...details, remember: fields.remember === true } };
    case 'consent.granted':
      return {
        actor,
        action: event,
        target: client,
        sourceAddress: ip,
        details: { ...details, scope: text(fields.scope) ?? '', grant_id: text(fields.grant_id) },
      };
    case 'interaction.aborted':
      return { actor, action: event, target: client, sourceAddress: ip, details: { ...details, prompt: text(fields.prompt) } };
    default:
      return undefined;
  }
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
  const { container } = deps;
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
      log: async (event, fields, request) => {
        deps.log.info(event, fields);
        const audited = interactionAuditEvent(event, fields, request.ip);
        if (audited && deps.audit) await deps.audit.record(audited);
      },
      ...(container ? { scopeRefusal: scopeRefusal((clientId) => container.clients.isAdminClient(clientId)) } : {}),
    }),
    ...(deps.container ? [createAdminApiRouter({ container: deps.container, provider: () => deps.holder.current() })] : []),
    ...(deps.container ? [createConsoleRouter({ container: deps.container, issuer: deps.config.issuer })] : []),
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
