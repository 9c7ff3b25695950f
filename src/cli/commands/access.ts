// sesame access explain: whether a person may use a client, by which rule, and the claims its ID
// token, userinfo and access token would carry (domain/access/explain.ts, the provider's own rules).
import type { AccessExplanation } from '../../domain/access/explain.js';
import { optionalString, requiredString, UsageError, type Command } from '../command.js';

/** Each claim as NAME: JSON, one a line, under a heading. */
function claimLines(heading: string, claims: Record<string, unknown>): string[] {
  const entries = Object.entries(claims);
  return [`${heading}:`, ...(entries.length ? entries.map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`) : ['  (none)'])];
}

export function explanationLines(e: AccessExplanation): string[] {
  return [
    `${e.allowed ? 'allowed' : 'refused'}: ${e.user.email} → ${e.client.client_name} (${e.client.client_id})`,
    e.summary,
    ...e.notes.map((note) => `note: ${note}`),
    `scopes: ${e.scopes.join(' ') || '-'}`,
    ...(e.claims
      ? [
          ...claimLines('ID token', e.claims.id_token),
          ...claimLines('userinfo', e.claims.userinfo),
          ...claimLines('access token (JWT, for a resource)', e.claims.access_token),
        ]
      : []),
  ];
}

const explain: Command = {
  name: 'access explain',
  synopsis: 'access explain --user EMAIL --client ID [--scope "openid groups ..."]',
  summary: 'whether a person may use a client, by which rule, and the claims they would get',
  help: [
    ['--user EMAIL', 'the person'],
    ['--client ID', 'the client (client_id)'],
    ['--scope "S ..."', 'the scopes asked for (default "openid profile email"); those the'],
    ['', 'client is not registered for are dropped, as at sign-in'],
  ],
  options: { user: { type: 'string' }, client: { type: 'string' }, scope: { type: 'string' } },
  positionals: [],
  prepare(args) {
    const email = requiredString(args, 'user');
    const clientId = requiredString(args, 'client');
    const scope = optionalString(args, 'scope');
    if (scope !== undefined && !scope.split(/\s+/).includes('openid')) throw new UsageError(`${args.command}: --scope must include openid`);
    return async (ctx) => {
      const explanation = await (await ctx.container()).explain.explain(email, clientId, scope);
      return { json: explanation, human: explanationLines(explanation) };
    };
  },
};

export const accessCommands: Command[] = [explain];
