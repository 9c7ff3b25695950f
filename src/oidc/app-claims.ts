// Per-app claims (domain/claims/app-claims.ts) in what the provider issues.
//
// oidc-provider releases a claim only when it is named in its static `claims` configuration
// (lib/helpers/claims.js filters by claimsSupported), but an app's extra claims are named per
// client by an administrator. So the account's claims() hands them over under a symbol, which
// oidc-provider's filter never picks, and Claims#result (used for ID tokens and userinfo, JSON or
// JWT alike) adds them after its filtering. Discovery's claims_supported stays the standard list:
// one app's claim names are not every app's business. JWT access tokens get them through
// extraTokenClaims.
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { ClaimPerson, ClaimSource } from '../domain/claims/app-claims.js';

/** Where the account's claims() puts the app's claims for Claims#result to add. */
export const APP_CLAIMS = Symbol('sesame.appClaims');

type ExtraTokenClaims = NonNullable<Configuration['extraTokenClaims']>;

/** Makes Claims#result (ID tokens, userinfo) add the app's claims the account's claims() computed. */
export function releaseAppClaims(provider: Provider): void {
  const { prototype } = provider.Claims as unknown as { prototype: { available: Record<PropertyKey, unknown>; result(): Promise<Record<string, unknown>> } };
  const result = prototype.result;
  prototype.result = async function withAppClaims(this: { available: Record<PropertyKey, unknown> }) {
    const claims = await result.call(this);
    const app = this.available[APP_CLAIMS] as Record<string, unknown> | undefined;
    // The standard claims win a clash (none is possible: their names are reserved in extra_claims).
    return app ? { ...app, ...claims } : claims;
  };
}

/** The scopes a token or response carries, with the OpenID Connect scopes granted to the client. */
export function scopesOf(scope: string | undefined, ctx?: KoaContextWithOIDC): Set<string> {
  const granted = ctx?.oidc.grant?.getOIDCScope() ?? '';
  return new Set(`${scope ?? ''} ${granted}`.split(' ').filter(Boolean));
}

/** What JWT access tokens need for the app's claims: the sources, and the person a token is for. */
export interface AppTokenClaims {
  claims: ClaimSource;
  person(accountId: string): Promise<ClaimPerson | undefined>;
}

/**
 * extraTokenClaims: `base`'s (the admin scope guard), then, for a JWT access token issued to a
 * client for a person, the app's claims. Opaque tokens carry none (nobody but introspection reads them).
 */
export function withAppTokenClaims(base: ExtraTokenClaims, app: AppTokenClaims | undefined): ExtraTokenClaims {
  if (!app) return base;
  return async (ctx, token) => {
    const extra = await base(ctx, token);
    const at = token as unknown as { accountId?: string; clientId?: string; scope?: string; resourceServer?: { accessTokenFormat?: string } };
    if (!at.accountId || !at.clientId || at.resourceServer?.accessTokenFormat !== 'jwt') return extra;
    const person = await app.person(at.accountId);
    if (!person) return extra;
    const claims = await app.claims(person, at.clientId, scopesOf(at.scope, ctx));
    return Object.keys(claims).length > 0 ? { ...claims, ...(extra ?? {}) } : extra;
  };
}
