// What a finished request was, in low-cardinality terms, for the request log and the metrics:
// the route pattern our router matched (`/admin/api/v1/users/:user_id`), or the provider's route
// name (`token`), never a raw path.
import type { Context } from 'koa';
import { providerRouteName } from '../oidc/route-names.js';

/** Requests no route matched (scanners, typos): one label for all of them. */
export const UNKNOWN_ROUTE = 'unknown';

export function routeOf(ctx: Context): string {
  // Requests handed to oidc-provider set ctx.respond = false (http/app.ts); its discovery
  // document, answered from memory, is named as the provider names it.
  const provider = providerRouteName(ctx.req);
  if (ctx.respond === false || provider) return provider ?? UNKNOWN_ROUTE;
  // @koa/router records the pattern it dispatched on the context.
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof route === 'string' ? route : UNKNOWN_ROUTE;
}

/** The status the client got: for requests handed to the provider, the one it wrote itself. */
export function statusOf(ctx: Context): number {
  return ctx.respond === false ? ctx.res.statusCode : ctx.status;
}
