// oidc-provider's findAccount: one indexed lookup by `sub`, claims per the granted scopes, and
// the app's own claims (app-claims.ts) for the client asking. At a refresh, the client's access
// rules too (src/domain/groups/access.ts).
import { errors, type FindAccount } from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { ClaimSource } from '../domain/claims/app-claims.js';
import type { AccessRules } from '../domain/groups/access.js';
import { APP_CLAIMS, scopesOf } from './app-claims.js';

export function createFindAccount(accounts: AccountService, appClaims?: ClaimSource, access?: AccessRules): FindAccount {
  return async (ctx, sub, token) => {
    // A disabled user is no account at all to the provider: sessions and tokens stop working.
    const user = await accounts.findActive(sub);
    if (!user) return undefined;
    // A refresh is issued without the person present: the client's access rules are asked again
    // here, so someone taken out of its allowed groups gets no new tokens for it (invalid_grant)
    // while their other apps go on. Free for a client without rules (access.ts).
    const refreshingClient = ctx?.oidc?.client?.clientId;
    if (access && token?.kind === 'RefreshToken' && refreshingClient) {
      const refusal = await access.refusal(refreshingClient, user.id);
      if (refusal) {
        await access.denied(user.id, refreshingClient, 'refresh', refusal, { actor: `client:${refreshingClient}`, sourceAddress: ctx.ip });
        throw new errors.InvalidGrant('the user is not allowed to use this application');
      }
    }
    return {
      accountId: user.id,
      // oidc-provider filters these by the scopes and claims the grant allows; the app's claims
      // (under APP_CLAIMS) are added after that filter, for the client the token is for.
      claims: async (_use, scope) => {
        const clientId = ctx.oidc.client?.clientId;
        const app = appClaims && clientId ? await appClaims(user, clientId, scopesOf(scope, ctx)) : {};
        return {
          sub: user.id,
          email: user.email,
          email_verified: user.emailVerified,
          ...(user.name ? { name: user.name } : {}),
          ...(Object.keys(app).length > 0 ? { [APP_CLAIMS]: app } : {}),
        };
      },
    };
  };
}
