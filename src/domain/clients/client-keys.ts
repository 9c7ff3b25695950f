// A client's public keys, checked when it registers: public signing keys the provider can verify
// its assertions with (private_key_jwt), and public encryption keys (use "enc") it can encrypt ID
// tokens and userinfo to (id_token_encrypted_response_alg, userinfo_encrypted_response_alg). A private member (an RSA, EC or OKP key's `d`, ...) is
// refused, never stored: it would mean the app's private key left the app. Messages name the key
// by its place in the set and the member by name, never a value.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { CLIENT_ENCRYPTION_ALGS, PRIVATE_KEY_JWT_ALGS } from './schema.js';

/** Members that belong to private or symmetric keys (RFC 7518 §6, RFC 8037, JWK's `oth`, ML-DSA's `priv`). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

const EC_CURVES: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const MIN_RSA_BITS = 2048;
/** The most a registered key set may weigh as JSON (ten 4096-bit RSA keys fit with room). */
export const MAX_JWKS_BYTES = 16 * 1024;

export type JsonWebKeySet = { keys: Record<string, unknown>[] };

/** Whether text typed as a key set holds private key material (a form must not show it again). */
export function holdsPrivateKeys(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return /"(d|p|q|dp|dq|qi|oth|k|priv)"\s*:/.test(text);
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  return Array.isArray(keys) && keys.some((key) => typeof key === 'object' && key !== null && PRIVATE_MEMBERS.some((m) => m in key));
}

const isEncryptionAlg = (alg: string) => (CLIENT_ENCRYPTION_ALGS as readonly string[]).includes(alg);

/** Whether a key of this type can verify a signature made with `alg`, or encrypt with it. */
function fits(jwk: Record<string, unknown>, alg: string): boolean {
  if (isEncryptionAlg(alg)) {
    if (jwk.kty === 'RSA') return alg.startsWith('RSA-OAEP');
    if (jwk.kty === 'EC') return String(jwk.crv) in EC_CURVES && alg.startsWith('ECDH-ES');
    return jwk.kty === 'OKP' && jwk.crv === 'X25519' && alg.startsWith('ECDH-ES');
  }
  switch (jwk.kty) {
    case 'RSA':
      return /^(RS|PS)(256|384|512)$/.test(alg);
    case 'EC':
      return EC_CURVES[String(jwk.crv)] === alg;
    case 'OKP':
      return jwk.crv === 'Ed25519' && (alg === 'Ed25519' || alg === 'EdDSA');
    default:
      return false;
  }
}

/** What the client's keys are for: `signing` (private_key_jwt), `encryption` (encrypted responses). */
export interface ClientKeyUses {
  signing: boolean;
  encryption: boolean;
}

function checkKey(jwk: Record<string, unknown>, index: number, uses: ClientKeyUses): void {
  const name = `jwks.keys[${index}]`;
  const refuse = (message: string) => {
    throw new ValidationError(`${name} ${message}`, 'jwks');
  };
  const present = PRIVATE_MEMBERS.find((member) => jwk[member] !== undefined);
  if (present !== undefined) {
    refuse(
      jwk.kty === 'oct'
        ? 'is a symmetric key (kty "oct"): private_key_jwt takes public keys; a client that signs with a shared secret uses client_secret_jwt'
        : `contains the private member "${present}": register the public key only (the private key stays with the app)`,
    );
  }
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') refuse('must be an RSA, EC or OKP public key (kty "RSA", "EC" or "OKP")');
  if (jwk.kty === 'EC' && !(String(jwk.crv) in EC_CURVES)) refuse(`must be on curve ${Object.keys(EC_CURVES).join(', ')}`);
  if (jwk.kty === 'OKP' && jwk.crv !== 'Ed25519' && !(jwk.crv === 'X25519' && uses.encryption)) {
    refuse(
      uses.encryption
        ? 'must be an Ed25519 key (crv "Ed25519", signs) or an X25519 key (crv "X25519", encrypts): the only OKP curves here'
        : 'must be an Ed25519 key (crv "Ed25519"): the only OKP curve that signs here',
    );
  }
  for (const member of ['kid', 'alg', 'use'] as const) {
    if (jwk[member] !== undefined && (typeof jwk[member] !== 'string' || jwk[member] === '')) refuse(`${member} must be a non-empty string`);
  }
  const encrypting = jwk.use === 'enc' || (jwk.use === undefined && jwk.crv === 'X25519');
  if (jwk.use !== undefined && jwk.use !== 'sig' && jwk.use !== 'enc') refuse(`has use "${String(jwk.use)}": use "sig" or "enc"`);
  // Only a client that asks for encrypted responses has a use for encryption keys.
  if (encrypting && !uses.encryption) refuse(`has use "enc": a client's assertion key must be a signing key (use "sig")`);
  if (jwk.crv === 'X25519' && jwk.use === 'sig') refuse('is an X25519 key, which cannot sign: use "enc"');
  if (jwk.crv === 'Ed25519' && jwk.use === 'enc') refuse('is an Ed25519 key, which cannot encrypt: use "sig"');
  const type = typeof jwk.crv === 'string' ? `${String(jwk.kty)} ${jwk.crv}` : String(jwk.kty);
  if (jwk.alg !== undefined) {
    const alg = String(jwk.alg);
    if (encrypting) {
      if (!isEncryptionAlg(alg)) refuse(`has alg "${alg}", which is not accepted for an encryption key; use ${CLIENT_ENCRYPTION_ALGS.join(', ')}`);
      if (!fits(jwk, alg)) refuse(`has alg "${alg}", which this ${type} key cannot encrypt with`);
    } else {
      if (!(PRIVATE_KEY_JWT_ALGS as readonly string[]).includes(alg)) {
        refuse(
          isEncryptionAlg(alg)
            ? `has alg "${alg}", an encryption algorithm: give it use "enc"`
            : `has alg "${alg}", which is not accepted; use ${PRIVATE_KEY_JWT_ALGS.join(', ')}`,
        );
      }
      if (!fits(jwk, alg)) refuse(`has alg "${alg}", which this ${type} key cannot sign with`);
    }
  }
  let bits: number | undefined;
  try {
    bits = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
  } catch {
    refuse(`is not a valid ${String(jwk.kty)} public key`);
  }
  if (jwk.kty === 'RSA' && (bits ?? 0) < MIN_RSA_BITS) refuse(`is an RSA key of ${bits ?? 0} bits; at least ${MIN_RSA_BITS} are needed`);
}

/**
 * Checks a client's key set (its shape is the schema's) and, when the client named one, that some
 * key can sign with its token_endpoint_auth_signing_alg, and that for each encrypted response it
 * asks for some key can encrypt with that algorithm. Throws a ValidationError naming jwks.
 */
export function checkClientKeys(
  jwks: JsonWebKeySet,
  alg: string | undefined,
  uses: ClientKeyUses = { signing: true, encryption: false },
  encryption: { field: string; alg: string }[] = [],
): void {
  if (JSON.stringify(jwks).length > MAX_JWKS_BYTES) throw new ValidationError(`jwks must be at most ${MAX_JWKS_BYTES} bytes of JSON`, 'jwks');
  jwks.keys.forEach((jwk, index) => checkKey(jwk, index, uses));
  const kids = jwks.keys.map((k) => k.kid).filter((kid) => kid !== undefined);
  if (new Set(kids).size !== kids.length) throw new ValidationError('jwks has two keys with the same kid', 'jwks');
  if (alg !== undefined && !jwks.keys.some((jwk) => fits(jwk, alg) && (jwk.alg === undefined || jwk.alg === alg))) {
    throw new ValidationError(`jwks has no key that signs with token_endpoint_auth_signing_alg "${alg}"`, 'jwks');
  }
  for (const wanted of encryption) {
    const found = jwks.keys.some(
      (jwk) => jwk.use !== 'sig' && jwk.crv !== 'Ed25519' && fits(jwk, wanted.alg) && (jwk.alg === undefined || jwk.alg === wanted.alg),
    );
    if (!found) {
      const kind = wanted.alg.startsWith('RSA') ? 'an RSA key' : 'an EC (P-256, P-384, P-521) or X25519 key';
      throw new ValidationError(`jwks has no key to encrypt with ${wanted.field} "${wanted.alg}": add ${kind} with use "enc"`, 'jwks');
    }
  }
}
