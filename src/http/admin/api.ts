// The admin API at /admin/api/v1: the route tables of clients (with initial access tokens for
// dynamic registration), users, keys, sessions and the audit log, run through one pipeline:
//   no-store → problem details → bearer auth → JSON only (415) → body (16 kB) → zod inputs
//   → the route → the response through its schema.
// Every route passes `by` (the caller and the source address) to the services it calls, which
// record their changes in the audit log.
// The OpenAPI 3.1 document is generated from the same tables and schemas at /openapi.json
// (public: it describes the API and holds nothing secret).
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { z } from 'zod';
import { auditRoutes } from './audit.js';
import { actorOf, authenticate } from './auth.js';
import { clientRoutes } from './clients.js';
import { groupRoutes } from './groups.js';
import { accessRoutes } from './access.js';
import { keyRoutes } from './keys.js';
import { buildOpenApiDocument } from './openapi.js';
import { fieldErrors, invalidFields, Problem, problemHandler } from './problem.js';
import { registrationRoutes } from './registration.js';
import { routerPath, type AdminServices, type Route } from './route.js';
import { sessionRoutes } from './sessions.js';
import { userRoutes } from './users.js';

export const ADMIN_API_PREFIX = '/admin/api/v1';

export const adminRoutes: readonly Route[] = [
  ...clientRoutes,
  ...registrationRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...accessRoutes,
  ...keyRoutes,
  ...sessionRoutes,
  ...auditRoutes,
];

export interface AdminApiDeps {
  services: AdminServices;
  /** The current provider (it is replaced when the key set changes). */
  provider(): Provider;
}

const BODY_LIMIT = '16kb';
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

function hasBody(ctx: Context): boolean {
  return (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
}

/** JSON only: a write that carries a body of another type is refused before it is read. */
const requireJson: Middleware = async (ctx, next) => {
  if (WRITES.has(ctx.method) && hasBody(ctx) && !ctx.is('application/json', 'application/*+json')) {
    throw new Problem(415, 'Send the body as application/json.');
  }
  await next();
};

// The type was checked above, so any body that gets this far is parsed as JSON.
const parseJson = bodyParser({ enableTypes: ['json'], detectJSON: () => true, jsonLimit: BODY_LIMIT, encoding: 'utf-8' });

/** Path and query parameters and body members are named alike in errors: by their own names. */
function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidFields(fieldErrors(result.error));
  return result.data;
}

function run(route: Route, { services, provider }: AdminApiDeps): Middleware {
  return async (ctx) => {
    const params = route.params ? parseInput(route.params, ctx.params) : undefined;
    if (!route.query && Object.keys(ctx.query).length > 0) {
      throw invalidFields(Object.keys(ctx.query).map((field) => ({ field, message: 'is not a known query parameter' })));
    }
    const query = route.query ? parseInput(route.query, ctx.query) : undefined;
    const body = route.body ? parseInput(route.body, hasBody(ctx) ? ctx.request.body : {}) : undefined;
    const actor = actorOf(ctx);
    const result = await route.handle({
      params,
      query,
      body,
      actor,
      ctx,
      services,
      provider,
      by: { actor: actor.id, sourceAddress: ctx.ip },
    });
    ctx.status = route.success.status;
    if (!route.success.schema) {
      ctx.body = null;
      return;
    }
    // The declared schema is what goes out: undeclared fields are dropped, a mismatch is a bug.
    const output = route.success.schema.safeParse(result);
    if (!output.success) throw new Error(`${route.operationId}: response does not match its schema: ${output.error.message}`);
    ctx.body = output.data;
  };
}

export function createAdminApiRouter(deps: AdminApiDeps): Router {
  const { services } = deps;
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  const openapi = buildOpenApiDocument(adminRoutes, { issuer: services.config.issuer, basePath: ADMIN_API_PREFIX });

  router.use(noStore, problemHandler(services.log));

  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi;
  });

  const auth = authenticate(deps);
  for (const route of adminRoutes) {
    const chain: Middleware[] = [auth];
    if (route.body) chain.push(requireJson, parseJson);
    router[route.method](routerPath(route.path), ...chain, run(route, deps));
  }

  // Everything else under the prefix: 405 for a known path, 404 otherwise, as problem details
  // (never the provider's HTML error page).
  const known = adminRoutes.map((r) => ({ method: r.method.toUpperCase(), pattern: pathPattern(r.path) }));
  known.push({ method: 'GET', pattern: pathPattern('/openapi.json') });
  const fallback: Middleware = (ctx) => {
    const rest = ctx.path.slice(ADMIN_API_PREFIX.length) || '/';
    const allowed = [...new Set(known.filter((k) => k.pattern.test(rest)).map((k) => k.method))];
    if (allowed.includes('GET')) allowed.push('HEAD');
    if (allowed.length > 0) {
      throw new Problem(405, `${ctx.method} is not allowed here; use ${allowed.join(', ')}.`, { headers: { Allow: allowed.join(', ') } });
    }
    throw new Problem(404, `There is no admin API route at ${ctx.path}.`);
  };
  router.all('/', fallback);
  router.all('/{*rest}', fallback);
  return router;
}

/** `/clients/{client_id}` → a regular expression matching one value per parameter. */
function pathPattern(path: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^${path
      .split(/\{[A-Za-z_][A-Za-z0-9_]*\}/)
      .map(literal)
      .join('[^/]+')}/?$`,
  );
}
