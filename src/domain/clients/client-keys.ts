// A private_key_jwt client's public keys, checked when it registers: only public signing keys the
// provider can verify its assertions with. A private member (an RSA, EC or OKP key's `d`, ...) is
// refused, never stored: it would mean the app's private key left the app. Messages name the key
// by its place in the set and the member by name, never a value.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { PRIVATE_KEY_JWT_ALGS } from './schema.js';

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

/** Whether a key of this type can verify a signature made with `alg`. */
function fits(jwk: Record<string, unknown>, alg: string): boolean {
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

function checkKey(jwk: Record<string, unknown>, index: number): void {
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
  if (jwk.kty === 'OKP' && jwk.crv !== 'Ed25519') refuse('must be an Ed25519 key (crv "Ed25519"): the only OKP curve that signs here');
  for (const member of ['kid', 'alg', 'use'] as const) {
    if (jwk[member] !== undefined && (typeof jwk[member] !== 'string' || jwk[member] === '')) refuse(`${member} must be a non-empty string`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') refuse(`has use "${String(jwk.use)}": a client's assertion key must be a signing key (use "sig")`);
  if (jwk.alg !== undefined) {
    const alg = String(jwk.alg);
    if (!(PRIVATE_KEY_JWT_ALGS as readonly string[]).includes(alg)) refuse(`has alg "${alg}", which is not accepted; use ${PRIVATE_KEY_JWT_ALGS.join(', ')}`);
    const type = typeof jwk.crv === 'string' ? `${String(jwk.kty)} ${jwk.crv}` : String(jwk.kty);
    if (!fits(jwk, alg)) refuse(`has alg "${alg}", which this ${type} key cannot sign with`);
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
 * Checks a private_key_jwt client's key set (its shape is the schema's) and, when the client named
 * one, that some key can sign with its token_endpoint_auth_signing_alg. Throws a ValidationError
 * naming jwks.
 */
export function checkClientKeys(jwks: JsonWebKeySet, alg: string | undefined): void {
  if (JSON.stringify(jwks).length > MAX_JWKS_BYTES) throw new ValidationError(`jwks must be at most ${MAX_JWKS_BYTES} bytes of JSON`, 'jwks');
  jwks.keys.forEach(checkKey);
  const kids = jwks.keys.map((k) => k.kid).filter((kid) => kid !== undefined);
  if (new Set(kids).size !== kids.length) throw new ValidationError('jwks has two keys with the same kid', 'jwks');
  if (alg !== undefined && !jwks.keys.some((jwk) => fits(jwk, alg) && (jwk.alg === undefined || jwk.alg === alg))) {
    throw new ValidationError(`jwks has no key that signs with token_endpoint_auth_signing_alg "${alg}"`, 'jwks');
  }
}
