// /clients: register, list, show, change, delete relying parties and rotate their secrets. The
// fields are the domain's schema (RFC 7591 names, in and out) and the rules the client service's,
// which the CLI, the console and dynamic registration share; this file only routes them.
// A secret appears in two responses only: create and rotate-secret.
import { invalidFields } from './problem.js';
import { route, type Route } from './route.js';
import { Client, ClientInput, ClientPage, ClientParams, ClientPatch, ClientWithSecret, PageQuery } from './schemas.js';

const DEFAULT_LIMIT = 50;

export const clientRoutes: Route[] = [
  route({
    method: 'post',
    path: '/clients',
    operationId: 'createClient',
    summary: 'Register a client',
    description:
      'Confidential clients get a client_secret in this response only: store it now. The name "Sesame console" and URIs on Sesame\'s own origin belong to the admin console and are refused (422).',
    tag: 'clients',
    body: ClientInput,
    success: { status: 201, description: 'Registered; Location names the new client.', schema: ClientWithSecret },
    problems: [422],
    async handle({ body, services, ctx, by }) {
      const client = await services.clients.create(body, by);
      ctx.set('Location', `${ctx.path.replace(/\/$/, '')}/${encodeURIComponent(client.client_id)}`);
      return client;
    },
  }),

  route({
    method: 'get',
    path: '/clients',
    operationId: 'listClients',
    summary: 'List clients, a page at a time (oldest first)',
    tag: 'clients',
    query: PageQuery,
    success: { status: 200, description: 'A page of clients.', schema: ClientPage },
    problems: [422],
    async handle({ query, services }) {
      // Pages in memory over the whole list: fine for the tens or hundreds of clients a
      // deployment has. A keyset query in the client repository is the step up if that grows.
      const all = await services.clients.list();
      let start = 0;
      if (query.cursor !== undefined) {
        const index = all.findIndex((c) => c.client_id === query.cursor);
        if (index < 0) throw invalidFields([{ field: 'cursor', message: 'is not a cursor from this list (or that client was deleted)' }]);
        start = index + 1;
      }
      const limit = query.limit ?? DEFAULT_LIMIT;
      const items = all.slice(start, start + limit);
      return { items, next_cursor: start + limit < all.length ? items.at(-1)!.client_id : null };
    },
  }),

  route({
    method: 'get',
    path: '/clients/{client_id}',
    operationId: 'getClient',
    summary: 'Show a client (never its secret)',
    tag: 'clients',
    params: ClientParams,
    success: { status: 200, description: 'The client.', schema: Client },
    problems: [404],
    handle: ({ params, services }) => services.clients.get(params.client_id),
  }),

  route({
    method: 'patch',
    path: '/clients/{client_id}',
    operationId: 'updateClient',
    summary: 'Change a client',
    description:
      "Absent fields keep their value; the result is checked by the same rules as a new registration. The secret stays. The admin console's own client (sesame-console) cannot be changed (409).",
    tag: 'clients',
    params: ClientParams,
    body: ClientPatch,
    success: { status: 200, description: 'The changed client.', schema: Client },
    problems: [404, 409, 422],
    async handle({ params, body, services, by }) {
      return services.clients.update(params.client_id, body, by);
    },
  }),

  route({
    method: 'delete',
    path: '/clients/{client_id}',
    operationId: 'deleteClient',
    summary: 'Delete a client',
    description:
      "Its tokens stop working: the provider no longer finds the client they were issued to. The admin console's own client (sesame-console) cannot be deleted (409).",
    tag: 'clients',
    params: ClientParams,
    success: { status: 204, description: 'Deleted.', schema: undefined },
    problems: [404, 409],
    async handle({ params, services, by }) {
      await services.clients.delete(params.client_id, by);
    },
  }),

  route({
    method: 'post',
    path: '/clients/{client_id}/rotate-secret',
    operationId: 'rotateClientSecret',
    summary: "Replace a confidential client's secret",
    description: 'The old secret stops working at once; the new one is in this response only.',
    tag: 'clients',
    params: ClientParams,
    success: { status: 200, description: 'The client with its new secret.', schema: ClientWithSecret },
    problems: [404, 409],
    async handle({ params, services, by }) {
      return services.clients.rotateSecret(params.client_id, by);
    },
  }),
];
