// Sesame's `admin` scope (its admin API) goes only to clients registered with it.
//
// oidc-provider checks a requested scope against the client's `scope` metadata only when the
// client has some (lib/helpers/grant_authorization.js validateClientScope, and checkScope at
// /auth); a client registered without any of the provider's scopes may ask for every one of them,
// `admin` included. Two checks close that, whatever a client's registration:
// - at issuance, every access token (authorization code, refresh, client credentials) passes
//   through extraTokenClaims: one carrying `admin` for a client not registered with it is refused
//   with invalid_scope, against the registration as it is now;
// - at sign-in, such a request is sent back to the client with invalid_scope before anyone is
//   asked to sign in or consent (interactions/router.ts, with `scopeRefusal` below).
// Refusing rather than silently dropping the scope is what oidc-provider itself does for clients
// that have `scope` metadata, so every client sees the same answer.
import { errors, type Configuration } from 'oidc-provider';
import { ADMIN_SCOPE } from '../domain/clients/client-metadata.js';

export type IsAdminClient = (clientId: string) => Promise<boolean>;

const ADMIN_SCOPE_REFUSED = `scope ${ADMIN_SCOPE} is only granted to clients registered with it`;

const asksForAdmin = (scope: string | undefined) => (scope ?? '').split(' ').includes(ADMIN_SCOPE);

/** extraTokenClaims: refuses an access token with `admin` for a client not registered with it; adds no claims. */
export function adminScopeGuard(isAdminClient: IsAdminClient): NonNullable<Configuration['extraTokenClaims']> {
  return async (_ctx, token) => {
    if (asksForAdmin(token.scope) && !(token.clientId && (await isAdminClient(token.clientId)))) {
      throw new errors.InvalidScope(ADMIN_SCOPE_REFUSED, ADMIN_SCOPE);
    }
    return undefined;
  };
}

/** For the sign-in pages: why a client may not have the scope it asked for at /auth, or undefined. */
export function scopeRefusal(isAdminClient: IsAdminClient): (clientId: string, scope: string | undefined) => Promise<string | undefined> {
  return async (clientId, scope) => (asksForAdmin(scope) && !(await isAdminClient(clientId)) ? ADMIN_SCOPE_REFUSED : undefined);
}
