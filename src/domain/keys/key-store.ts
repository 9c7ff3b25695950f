// Where the private halves of signing keys live (KEY_STORE). The key service decides what happens
// to keys (lifecycle.ts); a store only makes a key, hands the provider something to sign with, and
// destroys a key's private half. Two stores:
// - database (the default): a private JWK made with jose, sealed with KEY_ENCRYPTION_SECRET in the
//   row's privateJwe;
// - pkcs11: generated inside an HSM token and never out of it; the row keeps the public JWK and the
//   object's CKA_ID (hsmKeyId), and the provider signs through an ExternalSigningKey
//   (pkcs11-store.ts, which loads the native binding only when KEY_STORE=pkcs11).
// A row says itself where its private key is, so a pkcs11 instance still opens keys sealed in the
// database before the switch (they leave through ordinary rotation), and a database instance that
// meets a key held in a token says so instead of failing obscurely.
import { CompactSign, importJWK, type CompactJWSHeaderParameters, type JWK } from 'jose';
import type { ExternalSigningKey } from 'oidc-provider';
import type { EncryptionAlg, KeyStoreConfig, SigningAlg } from '../../config.js';
import type { SigningKeyRecord } from '../../db/signing-key-repository.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { generateEncryptionKeyMaterial, isEncryptionAlg } from './encryption-keys.js';
import { generateKeyMaterial } from './key-material.js';

/** What the provider signs with: a private JWK, or a key whose private half stays in an HSM. */
export type SigningKey = JWK | ExternalSigningKey;

/** Where a key's private half is, as its row records it (at most one of the two is set). */
export interface PrivateKeyRef {
  /** The private JWK sealed with KEY_ENCRYPTION_SECRET (database store). */
  privateJwe: string | null;
  /** The hex CKA_ID of the private key object in the PKCS#11 token (pkcs11 store). */
  hsmKeyId: string | null;
}

export interface GeneratedKey {
  /** RFC 7638 thumbprint of the public JWK, whichever store made it. */
  kid: string;
  alg: SigningAlg | EncryptionAlg;
  /** With kid, alg and use: what the JWKS publishes. */
  publicJwk: JWK;
  ref: PrivateKeyRef;
}

type KeyRow = Pick<SigningKeyRecord, 'kid' | 'alg' | 'publicJwk'> & PrivateKeyRef;

export interface KeyStore {
  readonly kind: KeyStoreConfig['kind'];
  /** Start-up: reaches the store now (an HSM's module, token and PIN), or throws a ConfigError that says what is wrong. */
  check(): Promise<void>;
  /** A new key pair for `alg`; nothing is written to the key table. Only the database store makes encryption keys. */
  generate(alg: SigningAlg | EncryptionAlg): Promise<GeneratedKey>;
  /** What the provider signs with for this row; throws when this instance cannot reach its private key. */
  open(row: KeyRow): Promise<SigningKey>;
  /**
   * Destroys the private key a row (or a generated key never stored) refers to, where it lives
   * outside the row. For the database store this is nothing: clearing the row destroys it.
   */
  destroy(ref: PrivateKeyRef): Promise<void>;
  close(): Promise<void>;
}

/** Whether a row still has a private key somewhere (a revoked key has none). */
export function hasPrivateKey(row: PrivateKeyRef): boolean {
  return row.privateJwe !== null || row.hsmKeyId !== null;
}

/**
 * A compact JWS made with whatever a store opened, for Sesame's own signed messages: jose for a
 * private JWK, the key's own sign() (an HSM) otherwise, exactly as oidc-provider does.
 */
export async function signCompact(key: SigningKey, header: Omit<CompactJWSHeaderParameters, 'alg'>, payload: Uint8Array): Promise<string> {
  const protectedHeader = { ...header, alg: key.alg!, ...(key.kid ? { kid: key.kid } : {}) };
  if (!isExternal(key)) return new CompactSign(payload).setProtectedHeader(protectedHeader).sign(await importJWK(key, key.alg));
  const input = `${Buffer.from(JSON.stringify(protectedHeader)).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${Buffer.from(await key.sign(Buffer.from(input))).toString('base64url')}`;
}

const isExternal = (key: SigningKey): key is ExternalSigningKey => typeof (key as Partial<ExternalSigningKey>).sign === 'function';

/** Binds a sealed private key to its kid, so one key's ciphertext cannot stand in for another's. */
export const sealPurpose = (kid: string) => `signing-key:${kid}`;

export function createDatabaseKeyStore(box: SecretBox, rsaModulusLength: number): KeyStore {
  return {
    kind: 'database',
    async check() {},
    async generate(alg) {
      const m = isEncryptionAlg(alg) ? await generateEncryptionKeyMaterial(alg, rsaModulusLength) : await generateKeyMaterial(alg, rsaModulusLength);
      const privateJwe = await box.seal(JSON.stringify(m.privateJwk), sealPurpose(m.kid));
      return { kid: m.kid, alg: m.alg, publicJwk: m.publicJwk, ref: { privateJwe, hsmKeyId: null } };
    },
    async open(row) {
      if (row.privateJwe === null) {
        throw new Error(
          row.hsmKeyId !== null ? `it is held in a PKCS#11 token (CKA_ID ${row.hsmKeyId}) and this instance has KEY_STORE=database` : 'it has no private key',
        );
      }
      return JSON.parse(await box.open(row.privateJwe, sealPurpose(row.kid))) as JWK;
    },
    async destroy() {},
    async close() {},
  };
}

/** The store KEY_STORE names. A PKCS#11 token is opened on first use (a CLI command that never touches keys never opens it). */
export async function createKeyStore(config: KeyStoreConfig, deps: { box: SecretBox; rsaModulusLength: number }): Promise<KeyStore> {
  const database = createDatabaseKeyStore(deps.box, deps.rsaModulusLength);
  if (config.kind === 'database') return database;
  const { createPkcs11KeyStore } = await import('./pkcs11-store.js');
  return createPkcs11KeyStore(config, { sealed: database, rsaModulusLength: deps.rsaModulusLength });
}
