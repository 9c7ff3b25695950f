// One PKCS#11 token, through pkcs11js (a thin N-API binding of the Cryptoki C interface), loaded
// only here and only when KEY_STORE=pkcs11. What it does with the token: generate a key pair whose
// private key is a token object that can sign and nothing else (sensitive, never extractable),
// sign with it, find it again by its CKA_ID, and destroy it.
//
// A module is initialised once per process (Cryptoki allows one C_Initialize), and the user login
// is per application, shared by all its sessions; several stores in one process (tests run
// instances side by side) share both. Signing and generating run on the binding's worker threads
// (the *Async calls), each on a session of its own taken from a small pool: one session runs one
// operation at a time. A session the token has dropped (restarted, unplugged) is replaced once,
// with a new login, before an operation fails.
import { createHash, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type * as Pkcs11 from 'pkcs11js';
import { ConfigError, type SigningAlg } from '../../config.js';

type Pkcs11Module = typeof Pkcs11;

export interface TokenOptions {
  module: string;
  tokenLabel: string;
  pin: string;
}

/** The DER encoding of the OID of P-256 (prime256v1), as CKA_EC_PARAMS takes it. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const MAX_SESSIONS = 8;
/** Errors after which the session (or the login) is gone and a fresh one may succeed. */
const LOST_SESSION = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_KEY_HANDLE_INVALID',
]);

const codeOf = (error: unknown): string => (error instanceof Error ? (error.message.split(/\s/)[0] ?? '') : String(error));

export class TokenError extends Error {
  override name = 'TokenError';
}

interface Loaded {
  lib: Pkcs11Module;
  p11: Pkcs11.PKCS11;
  users: number;
}
/** Per module path, for the whole process. */
const modules = new Map<string, Promise<Loaded>>();

async function loadModule(path: string): Promise<Loaded> {
  let pending = modules.get(path);
  if (!pending) {
    pending = (async () => {
      let lib: Pkcs11Module;
      try {
        lib = (await import('pkcs11js')).default;
      } catch (error) {
        throw new ConfigError(`KEY_STORE=pkcs11 needs the pkcs11js binding, which did not load (${(error as Error).message.split('\n')[0]}); run npm ci`);
      }
      const p11 = new lib.PKCS11();
      try {
        p11.load(path);
      } catch (error) {
        throw new ConfigError(`PKCS11_MODULE=${JSON.stringify(path)} is invalid: it does not load as a PKCS#11 library (${codeOf(error)})`);
      }
      try {
        // The binding calls the library from worker threads: let it lock with the OS's primitives.
        p11.C_Initialize({ flags: lib.CKF_OS_LOCKING_OK });
      } catch (error) {
        // Already initialised in this process by an earlier copy of this module (tests reload modules).
        if (codeOf(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw new TokenError(`PKCS#11 C_Initialize failed: ${codeOf(error)}`);
      }
      return { lib, p11, users: 0 };
    })();
    modules.set(path, pending);
    pending.catch(() => modules.delete(path));
  }
  const loaded = await pending;
  loaded.users++;
  return loaded;
}

function releaseModule(path: string, loaded: Loaded): void {
  if (--loaded.users > 0) return;
  modules.delete(path);
  try {
    loaded.p11.C_Finalize();
  } catch {
    // Nothing left to do with it either way.
  }
  loaded.p11.close();
}

/** RFC 7518 base64url of an unsigned big-endian integer, without leading zero bytes. */
function b64uInt(bytes: Buffer): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start).toString('base64url');
}

/** CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (some tokens give the bare point). */
function uncompressedPoint(value: Buffer): Buffer {
  const point = value[0] === 0x04 && value.length === 67 && value[1] === 65 ? value.subarray(2) : value;
  if (point.length !== 65 || point[0] !== 0x04) throw new TokenError('the token returned an EC public key that is not an uncompressed P-256 point');
  return point;
}

export interface Token {
  /** A new key pair; the private key stays in the token under a fresh random CKA_ID. */
  generate(alg: SigningAlg, rsaModulusBits: number): Promise<{ id: string; publicJwk: JWK }>;
  /** A JWS signature (raw r||s for ES256) of `data` with the private key `id`. */
  sign(id: string, alg: SigningAlg, data: Uint8Array): Promise<Buffer>;
  /** Whether the token holds a private key with this CKA_ID. */
  has(id: string): Promise<boolean>;
  /** Destroys every object with this CKA_ID; how many there were. */
  destroy(id: string): Promise<number>;
  close(): Promise<void>;
}

export async function openToken(options: TokenOptions): Promise<Token> {
  const loaded = await loadModule(options.module);
  const { lib, p11 } = loaded;
  try {
    const slot = findSlot(lib, p11, options.tokenLabel);
    const idle: Pkcs11.Handle[] = [];
    const waiting: ((session: Pkcs11.Handle) => void)[] = [];
    let open = 0;
    let closed = false;

    const login = (session: Pkcs11.Handle) => {
      try {
        p11.C_Login(session, lib.CKU_USER, options.pin);
      } catch (error) {
        const code = codeOf(error);
        if (code === 'CKR_USER_ALREADY_LOGGED_IN') return;
        if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LOCKED' || code === 'CKR_PIN_INVALID' || code === 'CKR_PIN_LEN_RANGE') {
          throw new ConfigError(`PKCS11_PIN is invalid: token ${JSON.stringify(options.tokenLabel)} refused it (${code})`);
        }
        throw new TokenError(`PKCS#11 C_Login failed: ${code}`);
      }
    };
    const newSession = (): Pkcs11.Handle => {
      const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
      try {
        login(session);
      } catch (error) {
        p11.C_CloseSession(session);
        throw error;
      }
      return session;
    };
    const acquire = async (): Promise<Pkcs11.Handle> => {
      if (closed) throw new TokenError('the PKCS#11 key store is closed');
      const session = idle.pop();
      if (session !== undefined) return session;
      if (open < MAX_SESSIONS) {
        open++;
        try {
          return newSession();
        } catch (error) {
          open--;
          throw error;
        }
      }
      return new Promise((resolve) => waiting.push(resolve));
    };
    const release = (session: Pkcs11.Handle) => {
      const next = waiting.shift();
      if (next) next(session);
      else idle.push(session);
    };
    const discard = (session: Pkcs11.Handle) => {
      open--;
      try {
        p11.C_CloseSession(session);
      } catch {
        // Already gone: that is why it is discarded.
      }
    };
    /** Runs `fn` on a session of its own; once more on a new session if the token dropped this one. */
    const withSession = async <T>(what: string, fn: (session: Pkcs11.Handle) => Promise<T> | T): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        const session = await acquire();
        try {
          const result = await fn(session);
          release(session);
          return result;
        } catch (error) {
          const code = codeOf(error);
          if (LOST_SESSION.has(code)) discard(session);
          else release(session);
          if (LOST_SESSION.has(code) && attempt === 0) continue;
          if (error instanceof TokenError || error instanceof ConfigError) throw error;
          throw new TokenError(`PKCS#11 ${what} failed: ${code}`);
        }
      }
    };
    const findPrivateKey = (session: Pkcs11.Handle, id: string): Pkcs11.Handle | null => {
      p11.C_FindObjectsInit(session, [
        { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
        { type: lib.CKA_ID, value: Buffer.from(id, 'hex') },
      ]);
      try {
        return p11.C_FindObjects(session);
      } finally {
        p11.C_FindObjectsFinal(session);
      }
    };

    // The PIN is checked now: a wrong one stops start-up with one line, not the first sign-in.
    release(await acquire());

    return {
      generate(alg, rsaModulusBits) {
        return withSession('key generation', async (session) => {
          const id = randomBytes(16);
          const common = [
            { type: lib.CKA_ID, value: id },
            { type: lib.CKA_LABEL, value: `sesame ${alg} ${id.toString('hex').slice(0, 8)}` },
          ];
          const rsa = alg !== 'ES256';
          const mechanism = { mechanism: rsa ? lib.CKM_RSA_PKCS_KEY_PAIR_GEN : lib.CKM_EC_KEY_PAIR_GEN };
          // The public key is a session object: the row keeps the public JWK, the token needs only the private key.
          const publicTemplate = [
            ...common,
            { type: lib.CKA_CLASS, value: lib.CKO_PUBLIC_KEY },
            { type: lib.CKA_TOKEN, value: false },
            { type: lib.CKA_VERIFY, value: true },
            ...(rsa
              ? [
                  { type: lib.CKA_MODULUS_BITS, value: rsaModulusBits },
                  { type: lib.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
                ]
              : [{ type: lib.CKA_EC_PARAMS, value: P256_PARAMS }]),
          ];
          const privateTemplate = [
            ...common,
            { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
            { type: lib.CKA_TOKEN, value: true },
            { type: lib.CKA_PRIVATE, value: true },
            { type: lib.CKA_SENSITIVE, value: true },
            { type: lib.CKA_EXTRACTABLE, value: false },
            { type: lib.CKA_SIGN, value: true },
            { type: lib.CKA_DECRYPT, value: false },
            { type: lib.CKA_UNWRAP, value: false },
            { type: lib.CKA_DERIVE, value: false },
          ];
          const pair = await p11.C_GenerateKeyPairAsync(session, mechanism, publicTemplate, privateTemplate);
          try {
            let publicJwk: JWK;
            if (rsa) {
              const [n, e] = p11.C_GetAttributeValue(session, pair.publicKey, [{ type: lib.CKA_MODULUS }, { type: lib.CKA_PUBLIC_EXPONENT }]);
              publicJwk = { kty: 'RSA', n: b64uInt(n!.value), e: b64uInt(e!.value) };
            } else {
              const [point] = p11.C_GetAttributeValue(session, pair.publicKey, [{ type: lib.CKA_EC_POINT }]);
              const xy = uncompressedPoint(point!.value);
              publicJwk = { kty: 'EC', crv: 'P-256', x: xy.subarray(1, 33).toString('base64url'), y: xy.subarray(33).toString('base64url') };
            }
            p11.C_DestroyObject(session, pair.publicKey);
            return { id: id.toString('hex'), publicJwk };
          } catch (error) {
            // A key pair whose public half could not be read is of no use: it must not stay in the token.
            p11.C_DestroyObject(session, pair.privateKey);
            throw error;
          }
        });
      },

      sign(id, alg, data) {
        return withSession('signing', async (session) => {
          const key = findPrivateKey(session, id);
          if (key === null) throw new TokenError(`token ${JSON.stringify(options.tokenLabel)} holds no private key with CKA_ID ${id}`);
          let mechanism: Pkcs11.Mechanism;
          let input = Buffer.from(data);
          if (alg === 'RS256') mechanism = { mechanism: lib.CKM_SHA256_RSA_PKCS };
          else if (alg === 'PS256') {
            const pss: Pkcs11.RsaPSS = { type: lib.CK_PARAMS_RSA_PSS, hashAlg: lib.CKM_SHA256, mgf: lib.CKG_MGF1_SHA256, saltLen: 32 };
            mechanism = { mechanism: lib.CKM_SHA256_RSA_PKCS_PSS, parameter: pss };
          } else {
            // Plain CKM_ECDSA over the digest: every token that does P-256 has it (CKM_ECDSA_SHA256 is optional).
            mechanism = { mechanism: lib.CKM_ECDSA };
            input = createHash('sha256').update(data).digest();
          }
          p11.C_SignInit(session, mechanism, key);
          return p11.C_SignAsync(session, input, Buffer.alloc(alg === 'ES256' ? 64 : 1024));
        });
      },

      has(id) {
        return withSession('key lookup', (session) => findPrivateKey(session, id) !== null);
      },

      destroy(id) {
        return withSession('key destruction', (session) => {
          p11.C_FindObjectsInit(session, [{ type: lib.CKA_ID, value: Buffer.from(id, 'hex') }]);
          let objects: Pkcs11.Handle[];
          try {
            objects = p11.C_FindObjects(session, 16);
          } finally {
            p11.C_FindObjectsFinal(session);
          }
          for (const object of objects) p11.C_DestroyObject(session, object);
          return objects.length;
        });
      },

      async close() {
        if (closed) return;
        closed = true;
        for (const session of idle.splice(0)) discard(session);
        releaseModule(options.module, loaded);
      },
    };
  } catch (error) {
    releaseModule(options.module, loaded);
    throw error;
  }
}

function findSlot(lib: Pkcs11Module, p11: Pkcs11.PKCS11, label: string): Pkcs11.Handle {
  const labels: string[] = [];
  for (const slot of p11.C_GetSlotList(true)) {
    const info = p11.C_GetTokenInfo(slot);
    const found = info.label.replace(/[\s\0]+$/, '');
    if (found === label) {
      if ((info.flags & lib.CKF_TOKEN_INITIALIZED) === 0) break;
      return slot;
    }
    if (found) labels.push(found);
  }
  throw new ConfigError(
    `PKCS11_TOKEN_LABEL=${JSON.stringify(label)} is invalid: no initialised token with that label in PKCS11_MODULE (tokens: ${labels.length > 0 ? labels.join(', ') : 'none'})`,
  );
}
