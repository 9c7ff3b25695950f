// The claims one app gets for one person beyond the standard ones, from every claim source (today
// the client's extra claims; a groups source fits the same shape). The provider adds them to ID
// tokens, userinfo and JWT access tokens (oidc/app-claims.ts); an explanation of what an app
// receives can ask the same function.
import type { Attributes } from './attributes.js';
import { resolveExtraClaims, type ExtraClaims } from './extra-claims.js';

/** The person as claim sources see them. */
export interface ClaimPerson {
  id: string;
  attributes: Attributes;
}

/** One kind of per-app claims: what `clientId` gets for `person`, given the scopes granted. */
export type ClaimSource = (person: ClaimPerson, clientId: string, scopes: ReadonlySet<string>) => Promise<Record<string, unknown>>;

/** The client's extra_claims: released with `openid` (every ID token and userinfo response has it). */
export function extraClaimsSource(extraClaims: (clientId: string) => Promise<ExtraClaims | undefined>): ClaimSource {
  return async (person, clientId) => resolveExtraClaims(await extraClaims(clientId), person.attributes);
}

/** Every source's claims for the app, merged; a name an earlier source gave is not taken over by a later one. */
export function appClaims(sources: readonly ClaimSource[]): ClaimSource {
  return async (person, clientId, scopes) => {
    const merged: Record<string, unknown> = {};
    for (const source of sources) {
      for (const [name, value] of Object.entries(await source(person, clientId, scopes))) {
        if (!Object.hasOwn(merged, name)) merged[name] = value;
      }
    }
    return merged;
  };
}
