// The OpenAPI 3.1 document of the admin API, generated from the route table and the zod schemas
// the routes validate with (OpenAPI 3.1 schemas are JSON Schema 2020-12, what z.toJSONSchema
// writes). Built once when the router is created; served at /admin/api/v1/openapi.json.
import { z } from 'zod';
import type { Route } from './route.js';
import { registry } from './schemas.js';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** The component id of a registered schema; every body and response schema must be one. */
function componentId(schema: z.ZodType, where: string): string {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error(`admin API: the ${where} schema is not registered as a component (schemas.ts)`);
  return id;
}

/** A standalone JSON Schema without the keywords that only make sense at a document's root. */
function inline(schema: z.ZodType): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error(`admin API: ${location} parameters must be a zod object`);
  return Object.entries(shape).map(([name, field]) => {
    const json = inline(field);
    const { description, ...fieldSchema } = json;
    return {
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

const PROBLEM_RESPONSES: Record<number, string> = {
  400: 'The body is not valid JSON.',
  401: 'No access token, or one that is unknown, expired or revoked (see WWW-Authenticate).',
  403: 'The token lacks the admin scope, its client is not registered with it, or its user is not an administrator.',
  404: 'There is no such resource.',
  409: 'The change conflicts with the current state (the detail says how).',
  413: 'The body is larger than 16 kB.',
  415: 'The body is not application/json.',
  422: 'Invalid fields: `errors` names each one.',
  503: 'Mail is off (no SMTP_URL) or the mail could not be sent (the detail says which).',
};

function operation(route: Route): JsonObject {
  const problems = new Set<number>([401, 403, ...route.problems]);
  if (route.body) [400, 413, 415, 422].forEach((s) => problems.add(s));
  if (route.query) problems.add(422);
  const success = route.success;
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: ref(componentId(route.body, `${route.operationId} body`)) } },
          },
        }
      : {}),
    responses: {
      [success.status]: {
        description: success.description,
        ...(success.schema ? { content: { 'application/json': { schema: ref(componentId(success.schema, `${route.operationId} response`)) } } } : {}),
      },
      ...Object.fromEntries([...problems].sort((a, b) => a - b).map((status) => [status, { $ref: `#/components/responses/Problem${status}` }])),
    },
  };
}

export interface OpenApiOptions {
  /** The issuer: the API's base URL and its OpenID Connect discovery document derive from it. */
  issuer: string;
  basePath: string;
}

export function buildOpenApiDocument(routes: readonly Route[], { issuer, basePath }: OpenApiOptions): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`admin API: ${route.method.toUpperCase()} ${route.path} is declared twice`);
    item[route.method] = operation(route);
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };

  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'output', unrepresentable: 'any' });
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema as JsonObject;
      return [id, rest];
    }),
  );
  const responses = Object.fromEntries(
    Object.entries(PROBLEM_RESPONSES).map(([status, description]) => [
      `Problem${status}`,
      { description, content: { 'application/problem+json': { schema: ref('Problem') } } },
    ]),
  );

  const base = issuer.replace(/\/$/, '');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sesame admin API',
      version: '1.0.0',
      description:
        'Clients, users, signing keys and sessions of a Sesame OpenID Provider. Call it with a bearer access token ' +
        'Sesame issued with the `admin` scope: a client_credentials token of a client registered with that scope, ' +
        'or a person’s token (authorization code flow) when that person is an administrator. JSON in and out; ' +
        'errors are RFC 9457 problem details. Responses are never cached (Cache-Control: no-store).',
    },
    servers: [{ url: `${base}${basePath}` }],
    security: [{ sesame: ['admin'] }],
    tags: [
      { name: 'clients', description: 'Relying parties' },
      { name: 'users', description: 'People who sign in' },
      { name: 'groups', description: 'Groups of people; what clients allow in allowed_groups' },
      { name: 'keys', description: 'Signing keys' },
      { name: 'sessions', description: "A person's sessions and grants" },
      { name: 'audit', description: 'The audit log' },
      { name: 'meta', description: 'This description' },
    ],
    paths,
    components: {
      schemas,
      responses,
      securitySchemes: {
        sesame: {
          type: 'openIdConnect',
          openIdConnectUrl: `${base}/.well-known/openid-configuration`,
          description: 'A bearer access token from this issuer carrying the admin scope.',
        },
      },
    },
  };
}
