// oidc-provider's findAccount: one indexed lookup by `sub`, claims per the granted scopes.
import type { FindAccount } from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';

export function createFindAccount(accounts: AccountService): FindAccount {
  return async (_ctx, sub) => {
    // A disabled user is no account at all to the provider: sessions and tokens stop working.
    const user = await accounts.findActive(sub);
    if (!user) return undefined;
    return {
      accountId: user.id,
      // oidc-provider filters these by the scopes and claims the grant allows.
      claims: async () => ({
        sub: user.id,
        email: user.email,
        email_verified: user.emailVerified,
        ...(user.name ? { name: user.name } : {}),
      }),
    };
  };
}
