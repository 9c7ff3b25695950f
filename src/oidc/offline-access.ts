// Refresh tokens without ceremony.
//
// oidc-provider issues a refresh token only for the `offline_access` scope, and drops that scope
// from every authorization request that does not say `prompt=consent` (lib/actions/authorization/
// scopes.js, after OpenID Connect Core 11). Most RPs never send it, so with the library's defaults
// they get no refresh token at all. Sesame, with the options oidc-provider offers and no fork:
//
// - `issueRefreshToken`: a client registered for the refresh_token grant gets a refresh token from
//   every authorization code. Without `offline_access` it is bound to the person's session
//   (oidc-provider's `expiresWithSession`): it stops working when they sign out or the session ends.
// - `offline_access` (a refresh token that outlives the session) needs the person's consent, given
//   on the consent page like every other scope, once: the validator below, run by the provider
//   after its own scope checks (its `extraParams` validators may change parameters: its docs say
//   so), puts back the `offline_access` this request asked for when the only reason it was dropped
//   is the missing `prompt=consent`. The consent prompt then asks for it if the grant lacks it, and
//   does not ask again once it was allowed.
//
// A request that says `prompt=none` cannot show a consent page: it keeps `offline_access` only when
// the person's grant for the app already has it, and otherwise goes on without it (a refresh token
// bound to the session) rather than failing with consent_required.
//
// What it does not cover: requests whose parameters come from a pushed authorization request (PAR)
// or a request object; those still need `prompt=consent` for `offline_access`.
import type { Client, KoaContextWithOIDC } from 'oidc-provider';

const OFFLINE_ACCESS = 'offline_access';

/** oidc-provider's `issueRefreshToken`: for every client registered for the refresh_token grant. */
export function issueRefreshToken(_ctx: KoaContextWithOIDC, client: Client): boolean {
  return client.grantTypeAllowed('refresh_token');
}

/** The parameters as the request itself carried them (the query, or a POSTed form). */
function requestedParameters(ctx: KoaContextWithOIDC): Record<string, unknown> {
  const body = (ctx.oidc as { body?: Record<string, unknown> }).body;
  return ctx.method === 'POST' && body ? body : ctx.query;
}

/**
 * A validator of the authorization request's `scope` (oidc-provider's `extraParams`): gives back
 * the `offline_access` that the provider's scope check removed for want of `prompt=consent`, when
 * nothing else stood in its way (the code flow, a client registered for refresh tokens and for
 * that scope).
 */
export async function keepRequestedOfflineAccess(ctx: KoaContextWithOIDC, scope: string | undefined, client: Client | undefined): Promise<void> {
  const { oidc } = ctx;
  if (oidc.route !== 'authorization' || !client || !oidc.params) return;
  const asked = requestedParameters(ctx);
  if (asked.request !== undefined || asked.request_uri !== undefined) return;
  if (typeof asked.scope !== 'string' || !asked.scope.split(' ').includes(OFFLINE_ACCESS)) return;
  const kept = new Set(typeof scope === 'string' ? scope.split(' ') : []);
  if (kept.has(OFFLINE_ACCESS)) return;
  if (!String(oidc.params.response_type).split(' ').includes('code') || !client.grantTypeAllowed('refresh_token')) return;
  if (client.scope !== undefined && !client.scope.split(' ').includes(OFFLINE_ACCESS)) return;
  if (oidc.prompts.has('none') && !(await alreadyGranted(ctx, client))) return;
  oidc.params.scope = [...kept, OFFLINE_ACCESS].join(' ');
}

/** Whether the grant this session holds for the client includes offline_access. */
async function alreadyGranted(ctx: KoaContextWithOIDC, client: Client): Promise<boolean> {
  const grantId = ctx.oidc.session?.grantIdFor(client.clientId);
  const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
  return grant?.getOIDCScope().split(' ').includes(OFFLINE_ACCESS) === true;
}
