// /initial-access-tokens: what an admin hands a developer so that their app can register itself at
// the provider's registration endpoint (RFC 7591 dynamic client registration). Without one, /reg
// refuses everyone. The token is in this response only; the audit log records that one was made
// and until when, never its value.
import { createInitialAccessToken, DEFAULT_INITIAL_TOKEN_LIFETIME } from '../../oidc/initial-access-token.js';
import { route, type Route } from './route.js';
import { InitialAccessToken, InitialAccessTokenInput } from './schemas.js';

export const registrationRoutes: Route[] = [
  route({
    method: 'post',
    path: '/initial-access-tokens',
    operationId: 'createInitialAccessToken',
    summary: 'Make an initial access token for dynamic client registration',
    description:
      'Send it as Authorization: Bearer to registration_endpoint (RFC 7591). Registrations follow the same rules as POST /clients; ' +
      'the token may be used until it expires. It is shown in this response only.',
    tag: 'clients',
    body: InitialAccessTokenInput,
    success: { status: 201, description: 'The token (shown once).', schema: InitialAccessToken },
    problems: [422],
    async handle({ body, services, provider, by }) {
      return createInitialAccessToken(provider(), body.expires_in ?? DEFAULT_INITIAL_TOKEN_LIFETIME, { audit: services.audit, by });
    },
  }),
];
