// Initial access tokens for dynamic client registration (RFC 7591 at /reg): made only by an admin
// (`sesame clients initial-token`, POST /admin/api/v1/initial-access-tokens), shown once, stored
// by oidc-provider (the token value is the stored id) until they expire. Each carries the policy
// that puts registrations through the client service's rules. Making one is recorded in the audit
// log (until when it may be used, never its value).
import type Provider from 'oidc-provider';
import type { AuditRecorder, By } from '../domain/audit/actions.js';

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

/** `recorded`: the audit log and who asked (the CLI and the admin API pass them; test fixtures need not). */
export async function createInitialAccessToken(
  provider: Provider,
  expiresIn = DEFAULT_INITIAL_TOKEN_LIFETIME,
  recorded?: { audit: AuditRecorder; by: By },
): Promise<InitialAccessTokenIssued> {
  const token = new provider.InitialAccessToken({ expiresIn, policies: [REGISTRATION_POLICY] });
  const value = await token.save();
  const exp = typeof token.exp === 'number' ? token.exp : Math.floor(Date.now() / 1000) + expiresIn;
  const expiresAt = new Date(exp * 1000).toISOString();
  await recorded?.audit.record(recorded.by, {
    action: 'client.initial_token_created',
    target: 'registration',
    details: { expires_in: expiresIn, expires_at: expiresAt },
  });
  return {
    initial_access_token: value,
    expires_in: expiresIn,
    expires_at: expiresAt,
    registration_endpoint: `${provider.issuer.replace(/\/$/, '')}/reg`,
  };
}
