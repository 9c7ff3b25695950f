// Making signing keys with jose: one key pair per algorithm family, kid = RFC 7638 thumbprint.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { EncryptionAlg, SigningAlg } from '../../config.js';

export interface KeyMaterial {
  kid: string;
  alg: SigningAlg | EncryptionAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

/** Members that only a private JWK has; none may ever reach the JWKS. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

export async function generateKeyMaterial(alg: SigningAlg, rsaModulusLength: number): Promise<KeyMaterial> {
  const options = { extractable: true, ...(alg === 'RS256' || alg === 'PS256' ? { modulusLength: rsaModulusLength } : {}) };
  const { publicKey, privateKey } = alg === 'EdDSA' ? await generateKeyPair('EdDSA', { ...options, crv: 'Ed25519' }) : await generateKeyPair(alg, options);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const meta = { kid, alg, use: 'sig' };
  return { kid, alg, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}

export function toPublicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete copy[member];
  return copy as JWK;
}
