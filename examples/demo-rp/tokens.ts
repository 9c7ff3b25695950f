// Verifying what the OP signs, with jose against the OP's published keys (jwks_uri):
// RFC 9068 access tokens for the app's API, and OIDC Back-Channel Logout 1.0 logout tokens.
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A token that does not pass; `message` is safe to return to the caller. */
export class TokenRejected extends Error {}

/** The OP could not be asked for its keys (down, slow): not the token's fault. */
export class KeysUnavailable extends Error {}

async function verify(token: string, keys: JWTVerifyGetKey, options: Parameters<typeof jwtVerify>[2]): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keys, options)).payload;
  } catch (error) {
    if (error instanceof errors.JWKSTimeout) throw new KeysUnavailable('the identity provider did not answer in time');
    if (error instanceof errors.JOSEError) throw new TokenRejected(describe(error));
    if (error instanceof TypeError && /fetch/i.test(error.message)) throw new KeysUnavailable('the identity provider is unreachable');
    throw error;
  }
}

function describe(error: errors.JOSEError): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is not signed by a key the identity provider publishes';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  return 'the token is not a valid signed JWT';
}

export interface AccessTokenClaims {
  sub: string;
  scope: string;
  aud: string | string[];
  client_id?: string;
}

export interface AccessTokenPolicy {
  issuer: string;
  /** This API's identifier: the `resource` the app asked for, the token's `aud`. */
  audience: string;
  keys: JWTVerifyGetKey;
}

/** An RFC 9068 JWT access token for this API (typ at+jwt, iss, aud, exp, sub, scope). */
export async function verifyAccessToken(token: string, policy: AccessTokenPolicy): Promise<AccessTokenClaims> {
  const payload = await verify(token, policy.keys, {
    issuer: policy.issuer,
    audience: policy.audience,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iat', 'sub'],
  });
  const { sub, aud } = payload;
  const scope = typeof payload.scope === 'string' ? payload.scope : '';
  if (typeof sub !== 'string' || aud === undefined) throw new TokenRejected('the token has no subject or audience');
  return { sub, scope, aud, ...(typeof payload.client_id === 'string' ? { client_id: payload.client_id } : {}) };
}

export interface LogoutTokenPolicy {
  issuer: string;
  /** This app's client_id: the logout token's `aud`. */
  clientId: string;
  keys: JWTVerifyGetKey;
  now?: () => number;
}

export interface LogoutTarget {
  sid?: string;
  sub?: string;
}

/**
 * Checks a logout token as OIDC Back-Channel Logout 1.0 section 2.6 says, and refuses a `jti`
 * it has already accepted (within the token's lifetime, which is all a replay could use).
 */
export function createLogoutTokenVerifier(policy: LogoutTokenPolicy) {
  const now = policy.now ?? Date.now;
  /** jti → when it may be forgotten (epoch ms). */
  const seen = new Map<string, number>();
  const MAX_AGE_SECONDS = 300;

  return async function verifyLogoutToken(token: string): Promise<LogoutTarget> {
    const payload = await verify(token, policy.keys, {
      issuer: policy.issuer,
      audience: policy.clientId,
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'jti', 'events'],
      maxTokenAge: MAX_AGE_SECONDS,
      currentDate: new Date(now()),
    });
    const events = payload.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) throw new TokenRejected('"events" must be an object');
    const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
    if (typeof event !== 'object' || event === null) throw new TokenRejected(`"events" must contain ${BACKCHANNEL_LOGOUT_EVENT}`);
    if ('nonce' in payload) throw new TokenRejected('a logout token must not contain a nonce');
    const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
    if (!sid && !sub) throw new TokenRejected('a logout token must contain "sid" or "sub"');

    const jti = String(payload.jti);
    const current = now();
    for (const [id, forgetAt] of seen) if (forgetAt <= current) seen.delete(id);
    if (seen.has(jti)) throw new TokenRejected('this logout token was already used');
    const lifetime = typeof payload.exp === 'number' ? payload.exp * 1000 : current + MAX_AGE_SECONDS * 1000;
    seen.set(jti, Math.max(lifetime, (Number(payload.iat) + MAX_AGE_SECONDS) * 1000) + 60_000);

    return { ...(sid ? { sid } : {}), ...(sub ? { sub } : {}) };
  };
}
