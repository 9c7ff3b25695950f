// oidc-provider's findAccount: one indexed lookup by `sub`, claims per the granted scopes.
import { errors, type FindAccount } from 'oidc-provider';
import type { AccountService } from '../domain/accounts/account-service.js';
import type { AccessRules } from '../domain/groups/access.js';

export function createFindAccount(accounts: AccountService, access?: AccessRules): FindAccount {
  return async (ctx, sub, token) => {
    // A disabled user is no account at all to the provider: sessions and tokens stop working.
    const user = await accounts.findActive(sub);
    if (!user) return undefined;
    // A refresh is issued without the person present: the client's access rules are asked again
    // here, so someone taken out of its allowed groups gets no new tokens for it (invalid_grant)
    // while their other apps go on. Free for a client without rules (access.ts).
    const clientId = ctx?.oidc?.client?.clientId;
    if (access && token?.kind === 'RefreshToken' && clientId) {
      const refusal = await access.refusal(clientId, user.id);
      if (refusal) {
        await access.denied(user.id, clientId, 'refresh', refusal, { actor: `client:${clientId}`, sourceAddress: ctx.ip });
        throw new errors.InvalidGrant('the user is not allowed to use this application');
      }
    }
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
