// Provider middleware (`provider.use`, outermost): the request's writes of the provider's rows are
// held and stored together once the provider has its answer, before the answer is sent
// (db/held-writes.ts). oidc-provider's own error handling sits inside, per route, so a failure to
// store them is answered here the way it answers its own failures: server_error, as its error page
// or as JSON, and its `server_error` event (logged by logProviderErrors). Whatever the answer was
// meant to carry (a redirect with a code, a session cookie) is dropped.
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { WritesNotStored } from '../db/held-writes.js';
import { renderError } from './pages.js';

export { WritesNotStored } from '../db/held-writes.js';

/** Runs one request's work with its writes held (the payload repository's holdingWrites); WritesNotStored when they fail. */
export type HoldWrites = <T>(work: () => Promise<T>) => Promise<T>;

/** oidc-provider's own body for an unexpected failure. */
const SERVER_ERROR = { error: 'server_error', error_description: 'oops! something went wrong' };

/** Routes whose failures oidc-provider answers with its error page whatever the request accepts. */
const PAGE_ROUTES = new Set(['authorization', 'resume']);

/** The provider's name for the route, where it made an OIDC context (reading ctx.oidc would make one). */
const routeOf = (ctx: KoaContextWithOIDC): string | undefined => (Object.hasOwn(ctx, 'oidc') ? ctx.oidc?.route : undefined);

export function holdProviderWrites(provider: Provider, hold: HoldWrites): Middleware {
  return async (ctx, next) => {
    try {
      await hold(next);
    } catch (error) {
      // Any other failure is the provider's own (it answers those inside, per route).
      if (!(error instanceof WritesNotStored)) throw error;
      // What the answer was to carry; the headers our app set before (request id, page headers) stay.
      ctx.remove('Location');
      ctx.remove('Set-Cookie');
      ctx.status = 500;
      const route = routeOf(ctx as KoaContextWithOIDC);
      if ((route !== undefined && PAGE_ROUTES.has(route)) || ctx.accepts('json', 'html') === 'html')
        renderError(ctx as KoaContextWithOIDC, SERVER_ERROR, error);
      else ctx.body = SERVER_ERROR;
      provider.emit('server_error', ctx, error);
    }
  };
}
