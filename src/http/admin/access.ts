// /access/explain: whether a person may use a client, by which rule, and the claims they would
// get; the explainer's (domain/access/explain.ts), which asks the provider's own rules and sources.
import { z } from 'zod';
import { isPlainText, NOT_PLAIN_TEXT } from '../../domain/text.js';
import { route, type Route } from './route.js';
import { registry } from './schemas.js';

const text = () => z.string().refine(isPlainText, NOT_PLAIN_TEXT);
const claims = z.record(z.string(), z.unknown());

const AccessExplanation = z.object({
  user: z.object({ sub: z.string(), email: z.string() }),
  client: z.object({ client_id: z.string(), client_name: z.string() }),
  scopes: z.array(z.string()).describe('the scopes asked for that the client may be granted'),
  allowed: z.boolean(),
  reason: z
    .object({
      rule: z.enum(['everyone', 'group', 'not_in_groups', 'disabled', 'signup_pending']),
      groups: z.array(z.string()).optional().describe('group: the allowed groups the person is in'),
      allowed_groups: z.array(z.string()).optional().describe('not_in_groups: the groups the person is in none of'),
    })
    .describe('everyone: the client has no access rule; group: allowed through these groups; the others refuse'),
  summary: z.string().describe('the same in one line'),
  notes: z.array(z.string()),
  claims: z
    .object({ id_token: claims, userinfo: claims, access_token: claims })
    .nullable()
    .describe('what each would carry (null when refused); iat, exp, nonce, auth_time, acr, amr and the like come from the sign-in itself'),
});
registry.add(AccessExplanation, { id: 'AccessExplanation', description: 'Why a person may or may not use a client, and the claims they would get.' });

const ExplainQuery = z.strictObject({
  user: text().min(1).max(320).describe("the person's email"),
  client: text().min(1).max(200).describe('the client_id'),
  scope: text().max(1000).optional().describe('the scopes asked for, space-separated (default "openid profile email")'),
});

export const accessRoutes: Route[] = [
  route({
    method: 'get',
    path: '/access/explain',
    operationId: 'explainAccess',
    summary: 'Explain whether a person may use a client, and the claims they would get',
    description: 'Asks the same access rule and claim sources the provider uses at sign-in, so the answer is what would be issued.',
    tag: 'groups',
    query: ExplainQuery,
    success: { status: 200, description: 'The explanation.', schema: AccessExplanation },
    problems: [404, 422],
    async handle({ query, services }) {
      return services.explain.explain(query.user, query.client, query.scope);
    },
  }),
];
