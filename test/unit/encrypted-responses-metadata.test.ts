// Client metadata for encrypted ID tokens and userinfo: the rules every channel shares
// (client-metadata.ts, client-keys.ts). An encrypted response needs the client's own public
// encryption key, registered as jwks or jwks_uri; unknown algorithms are refused by name.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildClientMetadata } from '../../src/domain/clients/client-metadata.js';
import { ValidationError } from '../../src/domain/errors.js';

const POLICY = { signingAlgs: ['ES256', 'RS256'], issuer: 'https://id.example.com' };
const web = { client_name: 'App', redirect_uris: ['https://app.example.com/cb'] };
const jwk = (key: KeyObject, extra: Record<string, unknown> = {}) => ({ ...key.export({ format: 'jwk' }), ...extra }) as Record<string, unknown>;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const x25519 = generateKeyPairSync('x25519');
const ed = generateKeyPairSync('ed25519');

const build = (input: Record<string, unknown>) => buildClientMetadata(input as unknown as Parameters<typeof buildClientMetadata>[0], POLICY);
function rejection(input: Record<string, unknown>): string {
  try {
    build(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('encrypted responses in client metadata', () => {
  it('stores the algorithms with the keys; encrypted userinfo is signed with the first of SIGNING_ALGS unless named', () => {
    const keys = { keys: [jwk(rsa.publicKey, { kid: 'r', use: 'enc', alg: 'RSA-OAEP-256' }), jwk(x25519.publicKey, { kid: 'x' })] };
    const m = build({
      ...web,
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_encrypted_response_alg: 'ECDH-ES',
      jwks: keys,
    });
    expect(m).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_encrypted_response_alg: 'ECDH-ES',
      userinfo_signed_response_alg: 'ES256',
      jwks: keys,
    });
    expect(m).not.toHaveProperty('userinfo_encrypted_response_enc');
    expect(build({ ...web, userinfo_signed_response_alg: 'RS256' })).toMatchObject({ userinfo_signed_response_alg: 'RS256' });
    // jwks_uri instead, and with private_key_jwt (one key set for both).
    expect(build({ ...web, id_token_encrypted_response_alg: 'ECDH-ES', jwks_uri: 'https://app.example.com/jwks' })).toMatchObject({
      jwks_uri: 'https://app.example.com/jwks',
    });
    expect(
      build({
        ...web,
        token_endpoint_auth_method: 'private_key_jwt',
        id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
        jwks: { keys: [jwk(ed.publicKey, { kid: 's' }), jwk(ec.publicKey, { kid: 'e', use: 'enc' })] },
      }),
    ).toMatchObject({ id_token_encrypted_response_alg: 'ECDH-ES+A256KW' });
    // Without encryption, nothing of it is stored.
    expect(Object.keys(build(web)).filter((k) => k.includes('encrypted') || k.startsWith('userinfo'))).toEqual([]);
  });

  it('refuses an encrypted response without a key to encrypt to, and unknown algorithms, saying what is accepted', () => {
    expect(rejection({ ...web, id_token_encrypted_response_alg: 'RSA-OAEP-256' })).toBe(
      "id_token_encrypted_response_alg needs the client's public encryption key: register jwks or jwks_uri",
    );
    expect(rejection({ ...web, userinfo_encrypted_response_alg: 'A128KW', jwks_uri: 'https://app.example.com/jwks' })).toBe(
      'userinfo_encrypted_response_alg "A128KW" is not supported; use RSA-OAEP-256, RSA-OAEP, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW',
    );
    expect(
      rejection({ ...web, id_token_encrypted_response_alg: 'RSA-OAEP-256', id_token_encrypted_response_enc: 'A192GCM', jwks_uri: 'https://a.example/j' }),
    ).toBe('id_token_encrypted_response_enc "A192GCM" is not supported; use A128CBC-HS256, A256CBC-HS512, A128GCM, A256GCM');
    expect(rejection({ ...web, userinfo_encrypted_response_enc: 'A128GCM' })).toBe('userinfo_encrypted_response_enc needs userinfo_encrypted_response_alg');
    expect(rejection({ ...web, userinfo_signed_response_alg: 'PS256' })).toBe(
      'userinfo_signed_response_alg "PS256" is not enabled; SIGNING_ALGS has ES256, RS256',
    );
  });

  it('refuses keys that cannot encrypt with the algorithm asked for, and encryption keys nobody asked for', () => {
    expect(rejection({ ...web, id_token_encrypted_response_alg: 'RSA-OAEP-256', jwks: { keys: [jwk(ec.publicKey, { use: 'enc' })] } })).toBe(
      'jwks has no key to encrypt with id_token_encrypted_response_alg "RSA-OAEP-256": add an RSA key with use "enc"',
    );
    expect(rejection({ ...web, userinfo_encrypted_response_alg: 'ECDH-ES', jwks: { keys: [jwk(ec.publicKey, { use: 'sig' })] } })).toBe(
      'jwks has no key to encrypt with userinfo_encrypted_response_alg "ECDH-ES": add an EC (P-256, P-384, P-521) or X25519 key with use "enc"',
    );
    expect(rejection({ ...web, userinfo_encrypted_response_alg: 'ECDH-ES', jwks: { keys: [jwk(ed.publicKey, { use: 'enc' })] } })).toBe(
      'jwks.keys[0] is an Ed25519 key, which cannot encrypt: use "sig"',
    );
    expect(rejection({ ...web, id_token_encrypted_response_alg: 'ECDH-ES', jwks: { keys: [jwk(rsa.publicKey, { use: 'enc', alg: 'ECDH-ES' })] } })).toBe(
      'jwks.keys[0] has alg "ECDH-ES", which this RSA key cannot encrypt with',
    );
    expect(rejection({ ...web, id_token_encrypted_response_alg: 'ECDH-ES', jwks: { keys: [jwk(ec.privateKey, { use: 'enc' })] } })).toBe(
      'jwks.keys[0] contains the private member "d": register the public key only (the private key stays with the app)',
    );
    expect(rejection({ ...web, jwks: { keys: [jwk(rsa.publicKey, { use: 'enc' })] } })).toBe(
      'jwks is only for private_key_jwt clients and clients with encrypted responses (id_token_encrypted_response_alg, userinfo_encrypted_response_alg); this client uses client_secret_basic',
    );
    expect(rejection({ ...web, id_token_encrypted_response_alg: 'ECDH-ES', jwks: { keys: [jwk(ec.publicKey)] }, jwks_uri: 'https://a.example/j' })).toBe(
      'a client registers either jwks or jwks_uri, not both',
    );
  });
});
