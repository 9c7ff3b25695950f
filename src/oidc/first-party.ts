// Sesame's own admin console is a first-party client: the person signing in is not asked to
// consent to it. oidc-provider asks for consent whenever the grant lacks a requested scope; for
// the console this gives the grant exactly the OpenID Connect scopes it asked for, within its
// registration (checkScope has already refused anything beyond that), so the consent prompt has
// nothing to ask. Every other client keeps the default: the grant it already has, if any.
import type { Configuration } from 'oidc-provider';

export function loadExistingGrant(firstParty: ReadonlySet<string>): NonNullable<Configuration['loadExistingGrant']> {
  return async (ctx) => {
    const { client, session, provider, result, account } = ctx.oidc;
    if (!client) return undefined;
    const grantId = result?.consent?.grantId || session?.grantIdFor(client.clientId);
    const existing = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!firstParty.has(client.clientId) || !account) return existing;

    const registered = new Set((client.scope ?? '').split(' '));
    const granted = new Set((existing?.getOIDCScope() ?? '').split(' '));
    const missing = [...ctx.oidc.requestParamOIDCScopes].filter((scope) => registered.has(scope) && !granted.has(scope));
    if (existing && missing.length === 0) return existing;
    const grant = existing ?? new provider.Grant({ clientId: client.clientId, accountId: account.accountId });
    if (missing.length > 0) grant.addOIDCScope(missing.join(' '));
    await grant.save();
    return grant;
  };
}
