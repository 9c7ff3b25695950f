// Signs what Sesame sends on its own behalf (key events) with its active signing key, so that a
// receiver verifies it against /jwks like an ID token. The only place outside the provider that
// uses a private signing key: callers get `sign(payload) → compact JWS` and never the key, so a
// key held elsewhere (an HSM) changes this file only.
import { CompactSign, importJWK, type CryptoKey, type JWK } from 'jose';
import type { KeyService } from './key-service.js';

export interface Signer {
  /** A compact JWS of `payload`, its protected header { alg, kid, typ }, signed with the active key. */
  sign(payload: Uint8Array, typ: string): Promise<string>;
}

/** The key that signs: the active key of `alg` (the first of SIGNING_ALGS), as the key table says now. */
export function createActiveKeySigner(keys: Pick<KeyService, 'list' | 'load'>, alg: string): Signer {
  // Imported keys by kid: a kid names one key for good, so a cached import is never stale.
  const imported = new Map<string, CryptoKey | Uint8Array>();

  async function activeKey(): Promise<{ kid: string; key: CryptoKey | Uint8Array }> {
    const active = (await keys.list()).find((k) => k.alg === alg && k.state === 'active');
    if (!active) throw new Error(`no active ${alg} signing key to sign with`);
    let key = imported.get(active.kid);
    if (!key) {
      const jwk = (await (await keys.load()).signingJwks()).find((k: JWK) => k.kid === active.kid);
      if (!jwk) throw new Error(`the active ${alg} key ${active.kid} cannot be opened here`);
      key = await importJWK(jwk, alg);
      imported.clear();
      imported.set(active.kid, key);
    }
    return { kid: active.kid, key };
  }

  return {
    async sign(payload, typ) {
      const { kid, key } = await activeKey();
      return new CompactSign(payload).setProtectedHeader({ alg, kid, typ }).sign(key);
    },
  };
}
