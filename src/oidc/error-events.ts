// The provider's unexpected failures in the log. oidc-provider turns them into a `server_error`
// answer and an event, and prints nothing (only its `debug` channel would); errors that escape its
// own handlers reach Koa's `error` event instead. Each is logged once, at error level, with the
// stack and where it happened; the client still gets only `server_error`.
import type { EventEmitter } from 'node:events';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { Logger } from '../logger.js';

function where(ctx: KoaContextWithOIDC | undefined): Record<string, string> {
  if (!ctx) return {};
  // ctx.oidc is a lazy getter that builds an OIDC context: only read it where the provider made one.
  const route = Object.hasOwn(ctx, 'oidc') ? ctx.oidc?.route : undefined;
  return { method: ctx.method, path: ctx.path, ...(route ? { route } : {}) };
}

export function logProviderErrors(provider: Provider, log: Logger): void {
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    log.error('provider request failed', { err: error, ...where(ctx) });
  });
  // Koa's `error` event is missing from the provider's typings.
  const app: EventEmitter = provider;
  app.on('error', (error: Error & { status?: number; expose?: boolean }, ctx?: KoaContextWithOIDC) => {
    // Koa's own rule: 4xx errors meant for the client are not failures.
    if (error.expose || error.status === 404) return;
    log.error('provider request failed', { err: error, ...where(ctx) });
  });
}
