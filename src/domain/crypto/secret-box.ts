// Encryption at rest for private keys and client secrets: compact JWE (dir + A256GCM) under a key
// derived from KEY_ENCRYPTION_SECRET with HKDF. The protected header names which secret sealed
// the value (so the secret can be rotated: the first seals, all open) and what the value is for
// (so a ciphertext copied onto another row does not open there).
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface SealingKey {
  id: string;
  key: Uint8Array;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

function deriveKey(secret: string): SealingKey {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'sesame', 'sesame at-rest encryption v1', 32));
  // Identifies the secret without revealing anything usable about it.
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 12);
  return { id, key };
}

export class SecretBox {
  readonly #keys: SealingKey[];

  constructor(secrets: string[]) {
    if (secrets.length === 0) throw new SecretBoxError('at least one encryption secret is required');
    this.#keys = secrets.map(deriveKey);
  }

  /** Seals `plaintext` for one purpose, e.g. `client-secret:ID` or `signing-key:KID`. */
  async seal(plaintext: string, purpose: string): Promise<string> {
    const current = this.#keys[0]!;
    return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.id, purpose }).encrypt(current.key);
  }

  async open(jwe: string, purpose: string): Promise<string> {
    const header = decodeProtectedHeader(jwe);
    if (header.purpose !== purpose) throw new SecretBoxError(`sealed value is not a ${purpose.split(':')[0]}`);
    const key = this.#keys.find((k) => k.id === header.kid);
    if (!key) throw new SecretBoxError('sealed with a KEY_ENCRYPTION_SECRET that is no longer configured');
    const { plaintext } = await compactDecrypt(jwe, key.key, { keyManagementAlgorithms: ['dir'] });
    return decoder.decode(plaintext);
  }

  /**
   * Keyed digests (HMAC-SHA256, base64url) of a random value such as a recovery code, one per
   * configured secret, the current one first: store the first, look up by all of them (so values
   * digested under an older secret still match while that secret is configured). The key is
   * derived apart from the sealing key, per purpose.
   */
  digests(value: string, purpose: string): string[] {
    return this.#keys.map(({ key }) => {
      const digestKey = createHmac('sha256', key).update(`digest key:${purpose}`).digest();
      return createHmac('sha256', digestKey).update(value).digest('base64url');
    });
  }

  /** True when the value was sealed by an older secret and should be re-sealed. */
  isStale(jwe: string): boolean {
    return decodeProtectedHeader(jwe).kid !== this.#keys[0]!.id;
  }
}
