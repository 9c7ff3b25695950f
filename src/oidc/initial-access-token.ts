// Initial access tokens for dynamic client registration (RFC 7591 at /reg): made only by an admin
// (`sesame clients initial-token`, POST /admin/api/v1/initial-access-tokens), shown once, stored
// by oidc-provider (the token value is the stored id) until they expire. Each carries the policy
// that puts registrations through the client service's rules.
import type Provider from 'oidc-provider';

export const REGISTRATION_POLICY = 'sesame-client-rules';

/** One hour unless the admin says otherwise. */
export const DEFAULT_INITIAL_TOKEN_LIFETIME = 3600;
/** At most 30 days: a token that lets anyone register a client should not live for ever. */
export const MAX_INITIAL_TOKEN_LIFETIME = 30 * 24 * 3600;

export interface InitialAccessTokenIssued {
  initial_access_token: string;
  expires_in: number;
  expires_at: string;
  registration_endpoint: string;
}

export async function createInitialAccessToken(provider: Provider, expiresIn = DEFAULT_INITIAL_TOKEN_LIFETIME): Promise<InitialAccessTokenIssued> {
  const token = new provider.InitialAccessToken({ expiresIn, policies: [REGISTRATION_POLICY] });
  const value = await token.save();
  const exp = typeof token.exp === 'number' ? token.exp : Math.floor(Date.now() / 1000) + expiresIn;
  return {
    initial_access_token: value,
    expires_in: expiresIn,
    expires_at: new Date(exp * 1000).toISOString(),
    registration_endpoint: `${provider.issuer.replace(/\/$/, '')}/reg`,
  };
}
