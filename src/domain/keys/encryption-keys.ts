// Encryption keys (`use: "enc"`, ENCRYPTION_ALGS): RPs encrypt request objects to them (JAR as
// JWE), and the provider decrypts with the private half. They live in the key table next to the
// signing keys and go through the same lifecycle (lifecycle.ts); a family is told apart by its
// algorithm alone, since no algorithm both signs and encrypts.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { ENCRYPTION_ALGORITHMS, type EncryptionAlg } from '../../config.js';
import type { KeyMaterial } from './key-material.js';

export type KeyUse = 'sig' | 'enc';

export function isEncryptionAlg(alg: string): alg is EncryptionAlg {
  return (ENCRYPTION_ALGORITHMS as readonly string[]).includes(alg);
}

/** What a key of this family is for: `use` in the JWKS. */
export function keyUse(alg: string): KeyUse {
  return isEncryptionAlg(alg) ? 'enc' : 'sig';
}

/** RSA-OAEP-256: an RSA key of RSA_MODULUS_LENGTH bits; ECDH-ES: a P-256 key (every JOSE library has that curve). */
export async function generateEncryptionKeyMaterial(alg: EncryptionAlg, rsaModulusLength: number): Promise<KeyMaterial> {
  const { publicKey, privateKey } =
    alg === 'RSA-OAEP-256'
      ? await generateKeyPair(alg, { extractable: true, modulusLength: rsaModulusLength })
      : await generateKeyPair(alg, { extractable: true, crv: 'P-256' });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const meta = { kid, alg, use: 'enc' };
  return { kid, alg, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}
