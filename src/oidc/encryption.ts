// What oidc-provider needs for encryption. Clients that register id_token_encrypted_response_alg
// or userinfo_encrypted_response_alg get their ID tokens (and logout tokens) and userinfo signed,
// then encrypted to a public key of their own; that needs nothing of Sesame's keys, so it is on
// whatever ENCRYPTION_ALGS says. Request objects (JAR) are accepted signed, and, when Sesame holds
// encryption keys (ENCRYPTION_ALGS), encrypted to one of them: the provider's key set carries the
// private halves of every published encryption key, the retired ones included (lifecycle.ts keeps
// a retired one until no RP can still encrypt to it).
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.js';
import { CLIENT_ENCRYPTION_ALGS, CLIENT_ENCRYPTION_ENCS } from '../domain/clients/schema.js';

type Features = NonNullable<Configuration['features']>;
type Jwa = NonNullable<Configuration['enabledJWA']>;

/**
 * Every request object must say when it expires, no later than REQUEST_OBJECT_LIFETIME after it was
 * made (iat, or nbf): an RP encrypts to the key in its cached JWKS, and this bounds how long after
 * that cache expires such a request object can still arrive, which is how long a retired
 * encryption key stays (lifecycle.ts's encryptionRetention).
 */
export function requestObjectLifetimeCheck(lifetimeMs: number, nowSeconds: () => number = () => Math.floor(Date.now() / 1000)) {
  const lifetime = Math.floor(lifetimeMs / 1000);
  return (_ctx: KoaContextWithOIDC, claims: Record<string, unknown>): void => {
    const { exp } = claims;
    if (typeof exp !== 'number') throw new errors.InvalidRequestObject("Request Object is missing the 'exp' claim");
    const made = typeof claims.iat === 'number' ? claims.iat : typeof claims.nbf === 'number' ? claims.nbf : nowSeconds();
    if (exp - made > lifetime) {
      throw new errors.InvalidRequestObject(`Request Object must expire at most ${lifetime}s after it was issued (iat); its exp is ${exp - made}s after`);
    }
  };
}

export function encryptionFeatures(config: Pick<Config, 'requestObjectLifetime'>): Pick<Features, 'encryption' | 'jwtUserinfo' | 'requestObjects'> {
  return {
    encryption: { enabled: true },
    // Encrypted userinfo is a signed JWT first: oidc-provider needs JWT userinfo for that.
    jwtUserinfo: { enabled: true },
    requestObjects: { enabled: true, requireSignedRequestObject: false, assertJwtClaimsAndHeader: requestObjectLifetimeCheck(config.requestObjectLifetime) },
  };
}

/** Discovery lists exactly these: public-key encryption to the client's keys, and to ours for request objects. */
export function encryptionJwa(config: Pick<Config, 'encryptionAlgs'>): Partial<Jwa> {
  return {
    idTokenEncryptionAlgValues: [...CLIENT_ENCRYPTION_ALGS],
    idTokenEncryptionEncValues: [...CLIENT_ENCRYPTION_ENCS],
    userinfoEncryptionAlgValues: [...CLIENT_ENCRYPTION_ALGS],
    userinfoEncryptionEncValues: [...CLIENT_ENCRYPTION_ENCS],
    // Only to Sesame's own keys: none without ENCRYPTION_ALGS (no symmetric ones with a client secret).
    requestObjectEncryptionAlgValues: [...config.encryptionAlgs],
    requestObjectEncryptionEncValues: [...CLIENT_ENCRYPTION_ENCS],
  };
}
