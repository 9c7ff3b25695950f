// Who may learn about or end a token at the introspection (RFC 7662) and revocation (RFC 7009)
// endpoints. oidc-provider's default lets any confidential client introspect any token, so one
// relying party could read the subject and scope of another's tokens; here a client only
// introspects its own tokens, unless an administrator marked it a resource server (an API that
// receives other clients' tokens and must check them). Admin clients are not resource servers by
// virtue of the admin scope: managing Sesame and reading tokens are separate rights.
import { errors, type Configuration } from 'oidc-provider';

type IntrospectionPolicy = NonNullable<NonNullable<NonNullable<Configuration['features']>['introspection']>['allowedPolicy']>;
type RevocationPolicy = NonNullable<NonNullable<NonNullable<Configuration['features']>['revocation']>['allowedPolicy']>;

export type IsResourceServer = (clientId: string) => Promise<boolean>;

/** Another client's token answers `{ active: false }`, as an unknown one does, unless the caller is a resource server. */
export function introspectionPolicy(isResourceServer: IsResourceServer): IntrospectionPolicy {
  return async (_ctx, client, token) => token.clientId === client.clientId || (await isResourceServer(client.clientId));
}

/**
 * Only the client a token was issued to may revoke it (resource servers included): oidc-provider's
 * default, written out so it stays that way. A confidential client is told it may not; a public
 * client, which proved nothing about itself, gets the usual empty answer.
 */
export const revocationPolicy: RevocationPolicy = (_ctx, client, token) => {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
};
