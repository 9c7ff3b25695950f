// KEY_STORE=pkcs11: signing keys generated in an HSM token and used there (pkcs11-token.ts). The
// provider gets an ExternalSigningKey per key (oidc-provider's external signing support): it
// publishes and verifies with the public JWK and asks the token for every signature. Keys sealed in
// the database before the switch still open through the database store.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';
import { PKCS11_SIGNING_ALGS, type KeyStoreConfig, type SigningAlg } from '../../config.js';
import type { KeyStore, SigningKey } from './key-store.js';
import { openToken, type Token } from './pkcs11-token.js';

/** A signing key whose private half is an object in the token; oidc-provider calls sign() for every JWS. */
export class Pkcs11SigningKey extends ExternalSigningKey {
  readonly #kid: string;
  readonly #alg: SigningAlg;
  readonly #publicKey: KeyObject;

  constructor(
    publicJwk: JWK,
    kid: string,
    alg: SigningAlg,
    private readonly signer: (data: Uint8Array) => Promise<Uint8Array>,
  ) {
    super();
    this.#kid = kid;
    this.#alg = alg;
    this.#publicKey = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  }

  override get kid(): string {
    return this.#kid;
  }

  override get alg(): string {
    return this.#alg;
  }

  /** The public key: what the provider verifies its own tokens with (id_token_hint at logout). */
  override keyObject(): KeyObject {
    return this.#publicKey;
  }

  override sign(data: Uint8Array): Promise<Uint8Array> {
    return this.signer(data);
  }
}

export function createPkcs11KeyStore(config: Extract<KeyStoreConfig, { kind: 'pkcs11' }>, deps: { sealed: KeyStore; rsaModulusLength: number }): KeyStore {
  let token: Promise<Token> | undefined;
  const opened = (): Promise<Token> => {
    token ??= openToken(config);
    // A failed opening is tried again on the next use (the HSM may be back).
    token.catch(() => (token = undefined));
    return token;
  };

  return {
    kind: 'pkcs11',
    async check() {
      await opened();
    },
    async generate(requested) {
      const alg = requested as SigningAlg;
      if (!PKCS11_SIGNING_ALGS.includes(alg)) throw new Error(`KEY_STORE=pkcs11 cannot generate ${alg} keys (${PKCS11_SIGNING_ALGS.join(', ')} only)`);
      const { id, publicJwk } = await (await opened()).generate(alg, deps.rsaModulusLength);
      const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
      return { kid, alg, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, ref: { privateJwe: null, hsmKeyId: id } };
    },

    async open(row) {
      if (row.hsmKeyId === null) return deps.sealed.open(row);
      const alg = row.alg as SigningAlg;
      if (!PKCS11_SIGNING_ALGS.includes(alg)) throw new Error(`KEY_STORE=pkcs11 cannot sign with ${row.alg}`);
      const id = row.hsmKeyId;
      const current = await opened();
      // At open, not at the first signature: a key missing from the token keeps it from signing here at all.
      if (!(await current.has(id))) throw new Error(`token ${JSON.stringify(config.tokenLabel)} holds no private key with its CKA_ID ${id}`);
      return new Pkcs11SigningKey(JSON.parse(row.publicJwk) as JWK, row.kid, alg, (data) => current.sign(id, alg, data)) as SigningKey;
    },

    async destroy(ref) {
      if (ref.hsmKeyId === null) return;
      await (await opened()).destroy(ref.hsmKeyId);
    },

    async close() {
      const pending = token;
      token = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    },
  };
}
