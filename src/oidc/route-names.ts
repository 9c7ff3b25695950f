// The provider's name for the route it served (`token`, `authorization`, `userinfo`, ...), for
// our request log and metrics. The provider runs on its own Koa context, built from the same
// Node request our app hands it: the name is kept per request object until our app reads it.
import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';

const names = new WeakMap<IncomingMessage, string>();

export function recordRouteNames(provider: Provider): void {
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      // What oidc-provider's router sets and ctx.oidc.route reads, without building ctx.oidc.
      const name = (ctx as { _matchedRouteName?: unknown })._matchedRouteName;
      if (typeof name === 'string') names.set(ctx.req, name);
    }
  });
}

/** The provider's route name for a request it served; undefined when it matched none. */
export function providerRouteName(req: IncomingMessage): string | undefined {
  return names.get(req);
}

/** Names a request our app answered on the provider's behalf (its discovery document from memory). */
export function nameProviderRoute(req: IncomingMessage, name: string): void {
  names.set(req, name);
}
