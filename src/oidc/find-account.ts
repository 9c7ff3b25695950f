// oidc-provider's findAccount: one indexed lookup by `sub`, claims per the granted scopes, and
// the app's own claims (app-claims.ts) for the client asking.
import type { FindAccount } from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { ClaimSource } from '../domain/claims/app-claims.js';
import { APP_CLAIMS, scopesOf } from './app-claims.js';

export function createFindAccount(accounts: AccountService, appClaims?: ClaimSource): FindAccount {
  return async (ctx, sub) => {
    // A disabled user is no account at all to the provider: sessions and tokens stop working.
    const user = await accounts.findActive(sub);
    if (!user) return undefined;
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
