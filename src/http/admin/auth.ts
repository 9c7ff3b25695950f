// Who may call the admin API: bearer access tokens that Sesame itself issued, looked up in-process
// through the current provider (opaque tokens, so the token store is the truth: a revoked or
// expired token is simply not found).
// - Machines: a client_credentials token of a client registered with the `admin` scope.
// - People (the console): an authorization-code access token with the `admin` scope, of a user
//   who exists, is an admin and is not disabled, issued to a client registered with `admin`.
// No token, or one that is unknown, expired or whose client or grant is gone: 401 with a Bearer
// challenge. A valid token without the right: 403.
//
// The client's registration is checked as well as the token's scope: oidc-provider lets a client
// registered without any OpenID Connect scope ask for any scope at the token endpoint, so the
// token's scope alone would not prove that an admin allowed this client in.
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { AdminServices } from './route.js';
import { ADMIN_SCOPE } from '../../domain/clients/client-metadata.js';
import { NotFoundError } from '../../domain/errors.js';
import { Problem } from './problem.js';

export interface Actor {
  /** As the audit log names it: `client:<client_id>` or `user:<sub>`. */
  id: `client:${string}` | `user:${string}`;
  clientId: string;
  /** Set when a person called through the console. */
  accountId?: string;
}

export interface AuthDeps {
  services: Pick<AdminServices, 'clients' | 'accounts' | 'secretThrottle'>;
  provider(): Provider;
}

const REALM = 'Sesame admin API';
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function unauthorized(detail: string, error?: 'invalid_token' | 'invalid_request'): Problem {
  const challenge = `Bearer realm="${REALM}"${error ? `, error="${error}", error_description="${detail.replace(/"/g, "'")}"` : ''}`;
  return new Problem(401, detail, { headers: { 'WWW-Authenticate': challenge } });
}

function forbidden(detail: string, insufficientScope = false): Problem {
  return new Problem(403, detail, {
    ...(insufficientScope ? { headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${ADMIN_SCOPE}"` } } : {}),
  });
}

function tooManyAttempts(waitMs: number): Problem {
  const seconds = Math.ceil(waitMs / 1000);
  return new Problem(429, `Too many failed attempts from this address. Try again in ${seconds} seconds.`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

const actors = new WeakMap<Context, Actor>();

/** The caller of this request, as `authenticate` established it. */
export function actorOf(ctx: Context): Actor {
  const actor = actors.get(ctx);
  if (!actor) throw new Error('admin route reached without authentication');
  return actor;
}

async function findToken(provider: Provider, value: string) {
  const accessToken = await provider.AccessToken.find(value);
  if (accessToken) return accessToken;
  return provider.ClientCredentials.find(value);
}

/** Whether the client is registered with the admin scope; undefined when it no longer exists. */
async function registeredForAdmin(services: Pick<AdminServices, 'clients'>, clientId: string): Promise<boolean | undefined> {
  try {
    const client = await services.clients.get(clientId);
    return (client.scope ?? '').split(' ').includes(ADMIN_SCOPE);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

export function authenticate({ services, provider }: AuthDeps): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    if (!header) throw unauthorized('An access token is required: send Authorization: Bearer <token>.');
    const value = BEARER.exec(header)?.[1];
    if (!value) throw unauthorized('The Authorization header must be: Bearer <token>.', 'invalid_request');

    // Guessing tokens is throttled like guessing passwords: per source address.
    const wait = services.secretThrottle.addressLockedFor(ctx.ip);
    if (wait > 0) throw tooManyAttempts(wait);
    const current = provider();
    const token = await findToken(current, value);
    if (!token || token.isExpired || !token.clientId) {
      await services.secretThrottle.addressFailed(ctx.ip);
      throw unauthorized('The access token is unknown, expired or revoked.', 'invalid_token');
    }
    // A DPoP- or certificate-bound token is not a bearer token: without its proof it proves nothing.
    if (token.isSenderConstrained()) throw unauthorized('Sender-constrained tokens are not accepted here.', 'invalid_token');

    const admitted = await registeredForAdmin(services, token.clientId);
    if (admitted === undefined) throw unauthorized('The access token belongs to a client that no longer exists.', 'invalid_token');
    const scopes = new Set((token.scope ?? '').split(' '));
    if (!scopes.has(ADMIN_SCOPE)) throw forbidden(`The access token lacks the ${ADMIN_SCOPE} scope.`, true);
    if (!admitted) throw forbidden(`Client ${token.clientId} is not registered with the ${ADMIN_SCOPE} scope.`);

    if (token.kind === 'AccessToken' && token.accountId) {
      const { accountId } = token;
      // A person's token: its grant must still exist (revoking sessions and grants ends it)...
      const grant = token.grantId ? await current.Grant.find(token.grantId) : undefined;
      if (!grant || grant.accountId !== accountId || grant.clientId !== token.clientId) {
        throw unauthorized('The access token has been revoked.', 'invalid_token');
      }
      // ... and the person must (still) be an admin.
      const user = await services.accounts.findById(accountId);
      if (!user || user.disabled || !user.isAdmin) throw forbidden('This user is not an administrator.');
      actors.set(ctx, { id: `user:${accountId}`, clientId: token.clientId, accountId });
    } else {
      actors.set(ctx, { id: `client:${token.clientId}`, clientId: token.clientId });
    }
    await next();
  };
}
