// Signs what Sesame sends on its own behalf (key events) with its active signing key, so that a
// receiver verifies it against /jwks like an ID token. The only place outside the provider that
// uses a private signing key: callers get `sign(payload) → compact JWS` and never the key; the key
// store's signCompact signs with a sealed JWK or inside an HSM alike.
import type { KeyService } from './key-service.js';
import { signCompact, type SigningKey } from './key-store.js';

export interface Signer {
  /** A compact JWS of `payload`, its protected header { alg, kid, typ }, signed with the active key. */
  sign(payload: Uint8Array, typ: string): Promise<string>;
}

/** The key that signs: the active key of `alg` (the first of SIGNING_ALGS), as the key table says now. */
export function createActiveKeySigner(keys: Pick<KeyService, 'list' | 'load'>, alg: string): Signer {
  // The opened key by kid: a kid names one key for good, so a cached one is never stale.
  let cached: { kid: string; key: SigningKey } | undefined;

  async function activeKey(): Promise<SigningKey> {
    const active = (await keys.list()).find((k) => k.alg === alg && k.state === 'active');
    if (!active) throw new Error(`no active ${alg} signing key to sign with`);
    if (cached?.kid !== active.kid) {
      const key = (await (await keys.load()).signingJwks()).find((k) => k.kid === active.kid);
      if (!key) throw new Error(`the active ${alg} key ${active.kid} cannot be opened here`);
      cached = { kid: active.kid, key };
    }
    return cached.key;
  }

  return {
    async sign(payload, typ) {
      return signCompact(await activeKey(), { typ }, payload);
    },
  };
}
