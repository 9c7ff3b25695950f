// Our routers, dispatched by the request path's first segment. Mounted one after another, every
// request (the provider's token, userinfo and discovery requests above all) ran each router's
// matcher over all of its routes: a dozen routers and some two hundred patterns per request, for
// requests none of them answers. Each router's routes all begin with a literal first segment
// (`/admin/...`, `/jwks`, `/interaction/...`), read off its own route table here, so a request is
// offered only to the routers that have a route under its first segment, in the order they were
// given; a router with a route whose first segment is a pattern is offered every request.
import type Router from '@koa/router';
import type { Middleware, Next, ParameterizedContext } from 'koa';

/** A first segment that is plain text, not a parameter, wildcard or group. */
const LITERAL = /^[\w.~-]*$/;

function firstSegmentOf(path: string): string {
  const end = path.indexOf('/', 1);
  return (end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase();
}

/**
 * The first segments (lower case: routes match regardless of case) of every route the router
 * has, or undefined when one of them is not literal and only matching can tell. A router answers
 * only when one of its routes matches; its router.use middleware runs only then.
 */
export function firstSegments(router: Router): Set<string> | undefined {
  const segments = new Set<string>();
  for (const layer of router.stack) {
    // Middleware the router runs only for its own matched routes (router.use): no route of its own.
    if (layer.methods.length === 0) continue;
    const path: unknown = layer.path;
    if (typeof path !== 'string' || !path.startsWith('/')) return undefined;
    const segment = firstSegmentOf(path);
    if (!LITERAL.test(segment) || layer.opts.sensitive) return undefined;
    segments.add(segment);
  }
  return segments;
}

/** The middleware in order, as Koa's own composition runs them (each one's next is the one after). */
function chain(middleware: Middleware[]): Middleware {
  return (ctx: ParameterizedContext, next: Next) => {
    const step = (i: number): Promise<unknown> => (i === middleware.length ? next() : Promise.resolve(middleware[i]!(ctx, () => step(i + 1))));
    return step(0);
  };
}

/** One middleware for the routers (each with its routes and its allowed-methods answers), in order. */
export function routersBySegment(routers: Router[]): Middleware {
  const mounted = routers.map((router) => ({ segments: firstSegments(router), middleware: [router.routes(), router.allowedMethods()] as Middleware[] }));
  const chainFor = (segment: string | undefined): Middleware | undefined => {
    const middleware = mounted.filter(({ segments }) => !segments || (segment !== undefined && segments.has(segment))).flatMap((m) => m.middleware);
    return middleware.length ? chain(middleware) : undefined;
  };
  const bySegment = new Map<string, Middleware | undefined>();
  for (const { segments } of mounted) for (const segment of segments ?? []) bySegment.set(segment, chainFor(segment));
  const otherwise = chainFor(undefined);
  return (ctx, next) => {
    const segment = firstSegmentOf(ctx.path);
    const chain = bySegment.has(segment) ? bySegment.get(segment) : otherwise;
    return chain ? chain(ctx, next) : next();
  };
}
