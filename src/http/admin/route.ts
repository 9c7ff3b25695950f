// One admin route, declared once: method, path, input schemas (path, query, body), the success
// response and its schema, and the problems it can answer with. The router (api.ts) runs it and
// the OpenAPI document (openapi.ts) describes it from this same declaration.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { z } from 'zod';
import type { Services } from '../../services.js';
import type { By } from '../../domain/audit/actions.js';
import type { Actor } from './auth.js';

/** What the admin API's routes use, and nothing else. */
export type AdminServices = Pick<
  Services,
  | 'accounts'
  | 'clients'
  | 'keys'
  | 'keyEvents'
  | 'jwksWatch'
  | 'userSessions'
  | 'audit'
  | 'config'
  | 'log'
  | 'secretThrottle'
  | 'invitations'
  | 'secondFactors'
  | 'groups'
  | 'explain'
>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Tag = 'clients' | 'users' | 'groups' | 'keys' | 'sessions' | 'audit';

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  actor: Actor;
  ctx: Context;
  services: AdminServices;
  /** The current provider (it is replaced when the key set changes). */
  provider(): Provider;
  /** Who is calling and from where: what a route passes to the services, which record their changes. */
  by: By;
}

export interface RouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, S extends z.ZodType | undefined> {
  method: Method;
  /** OpenAPI style, relative to /admin/api/v1: `/clients/{client_id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  params?: P;
  query?: Q;
  /** A JSON request body; for routes whose every field is optional an empty request also does. */
  body?: B;
  success: { status: 200 | 201 | 204; description: string; schema: S };
  /** Statuses this route answers with besides 401/403 (every route) and 400/413/415/422 (parsing). */
  problems: readonly (404 | 409 | 422 | 503)[];
  handle(input: RouteInput<P, Q, B>): Promise<S extends z.ZodType ? z.input<S> : void>;
}

/** A route with its types erased, for tables of routes. */
export interface Route {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  success: { status: 200 | 201 | 204; description: string; schema: z.ZodType | undefined };
  problems: readonly number[];
  handle(input: RouteInput<z.ZodType, z.ZodType, z.ZodType>): Promise<unknown>;
}

export function route<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  S extends z.ZodType | undefined = undefined,
>(definition: RouteDefinition<P, Q, B, S>): Route {
  return definition as unknown as Route;
}

/** `/clients/{client_id}` → `/clients/:client_id` for the router. */
export function routerPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}
