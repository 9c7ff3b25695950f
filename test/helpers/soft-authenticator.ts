// A software WebAuthn authenticator for tests that run without a browser: it answers
// @simplewebauthn/server's options with what a browser and a platform authenticator would send
// (attestation "none", ES256 on P-256), and lets a test bend any part of the answer: the origin,
// the RP ID, the signature counter, user verification, the user handle.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor> | Record<string, unknown>;

/** The few CBOR types an attestation object needs: integers, byte and text strings, maps. */
export function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v as Cbor)])]);
}

export interface Bend {
  origin?: string;
  rpId?: string;
  /** The counter to report (default: the next one, or 0 for an authenticator that keeps none). */
  counter?: number;
  userVerified?: boolean;
  /** The user handle to report (default: the one given at registration). */
  userHandle?: string;
  /** Answer to this challenge instead of the options' (a replay). */
  challenge?: string;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly #key: KeyObject;
  readonly #public: KeyObject;
  #counter = 0;
  /** base64url user handle from the registration options. */
  userHandle: string | undefined;

  constructor(
    readonly origin: string,
    readonly options: { keepsCounter?: boolean; synced?: boolean } = {},
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#key = privateKey;
    this.#public = publicKey;
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  get counter(): number {
    return this.#counter;
  }

  #flags(userVerified: boolean, attested: boolean): number {
    const synced = this.options.synced === true;
    return 0x01 | (userVerified ? 0x04 : 0) | (synced ? 0x08 | 0x10 : 0) | (attested ? 0x40 : 0);
  }

  #authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  #nextCounter(bend: Bend): number {
    if (bend.counter !== undefined) return bend.counter;
    if (this.options.keepsCounter === false) return 0;
    this.#counter += 1;
    return this.#counter;
  }

  register(options: PublicKeyCredentialCreationOptionsJSON, bend: Bend = {}): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const jwk = this.#public.export({ format: 'jwk' });
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cose]);
    const counter = bend.counter ?? 0;
    const authData = this.#authData(bend.rpId ?? options.rp.id!, this.#flags(bend.userVerified ?? true, true), counter, attested);
    const clientData = JSON.stringify({
      type: 'webauthn.create',
      challenge: bend.challenge ?? options.challenge,
      origin: bend.origin ?? this.origin,
      crossOrigin: false,
    });
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(Buffer.from(clientData)),
        attestationObject: b64u(cbor({ fmt: 'none', attStmt: new Map(), authData })),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  authenticate(options: PublicKeyCredentialRequestOptionsJSON, bend: Bend = {}): AuthenticationResponseJSON {
    const authData = this.#authData(bend.rpId ?? options.rpId!, this.#flags(bend.userVerified ?? true, false), this.#nextCounter(bend));
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: bend.challenge ?? options.challenge, origin: bend.origin ?? this.origin, crossOrigin: false }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.#key);
    const userHandle = bend.userHandle ?? this.userHandle;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(userHandle ? { userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
