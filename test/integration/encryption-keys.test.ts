// Encryption keys (ENCRYPTION_ALGS) and encrypted responses, as relying parties see them, on every
// database this run covers. An RP built on openid-client, with its own key pair, decrypts its ID
// token and userinfo and verifies them against /jwks; request objects encrypted (JWE) to Sesame's
// active key and to the key just retired by a scheduled rotation are accepted, one to a deleted or
// revoked key is refused. Key decisions run on a fake clock; tokens and request objects on real time.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIVATE_JWK_MEMBERS } from '../../src/domain/keys/key-material.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI, signIn, startAuthorization, type AuthorizationStart } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ROTATION_INTERVAL_MS = 30 * 24 * 3600 * 1000; // KEY_ROTATION_INTERVAL's default
// JWKS_CACHE_LIFETIME (15m) + REQUEST_OBJECT_LIFETIME (10m) + KEY_SYNC_INTERVAL (5s), the defaults.
const ENCRYPTION_RETENTION_MS = (15 * 60 + 10 * 60 + 5) * 1000;
const UNDECRYPTABLE = { accepted: false, error: 'invalid_request_object', description: 'could not decrypt request object' };
const USER = { email: 'eve@example.com', password: 'encrypted all the way down' };

describe.each(PROVIDERS)('encryption keys and encrypted responses on %s', (provider) => {
  let sesame: TestSesame;
  let clock = new Date('2030-01-01T00:00:00Z');
  let clientId: string;
  let clientSecret: string;
  let config: oidc.Configuration;
  let browser: TestBrowser;
  const rsa = jose.generateKeyPair('RSA-OAEP-256', { extractable: true });
  const ec = jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });

  const jwks = async () => (await (await fetch(`${sesame.issuer}/jwks`)).json()) as { keys: jose.JWK[] };
  const remoteJwks = () => jose.createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`));
  const activeEncryptionKey = async (alg: string) => {
    const kid = (await sesame.container.keys.list()).find((k) => k.alg === alg && k.state === 'active')!.kid;
    return (await jwks()).keys.find((k) => k.kid === kid)!;
  };

  /** A request object as an RP makes it: signed with its secret (HS256), then encrypted to one of Sesame's keys. */
  async function encryptedRequestObject(to: jose.JWK, start: AuthorizationStart, lifetime = '5m'): Promise<string> {
    const signed = await new jose.SignJWT({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      state: start.state,
      nonce: start.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(start.verifier),
      code_challenge_method: 'S256',
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(clientId)
      .setAudience(sesame.issuer)
      .setIssuedAt()
      .setExpirationTime(lifetime)
      .sign(new TextEncoder().encode(clientSecret));
    return new jose.CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg: to.alg!, enc: 'A128CBC-HS256', kid: to.kid!, cty: 'JWT' })
      .encrypt(await jose.importJWK(to, to.alg));
  }

  function jarStart(): AuthorizationStart {
    return { url: new URL(sesame.issuer), verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
  }

  const authUrl = (request: string) => `${sesame.issuer}/auth?${new URLSearchParams({ client_id: clientId, request })}`;

  /** Whether /auth takes the request object: on to the sign-in pages, or refused (and why). */
  async function authorize(request: string): Promise<{ accepted: boolean; error: string | null; description: string | null }> {
    const response = await fetch(authUrl(request), { redirect: 'manual' });
    const location = response.headers.get('location') ?? '';
    if (response.status === 303 && location.startsWith('/interaction/')) return { accepted: true, error: null, description: null };
    const url = location ? new URL(location, sesame.issuer) : undefined;
    const body = url ? '' : await response.text();
    return {
      accepted: false,
      error: url?.searchParams.get('error') ?? (/invalid_request_object/.test(body) ? 'invalid_request_object' : `status ${response.status}`),
      description: url?.searchParams.get('error_description') ?? body.slice(0, 300),
    };
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, now: () => clock, env: { ENCRYPTION_ALGS: 'RSA-OAEP-256,ECDH-ES' } });
    await sesame.container.accounts.create({ ...USER, name: 'Eve', emailVerified: true });
    const client = await sesame.container.clients.create({
      client_name: 'Encrypted RP',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid email profile',
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_alg: 'ECDH-ES',
      userinfo_encrypted_response_enc: 'A256GCM',
      jwks: {
        keys: [
          { ...(await jose.exportJWK((await rsa).publicKey)), kid: 'rp-rsa', use: 'enc', alg: 'RSA-OAEP-256' },
          { ...(await jose.exportJWK((await ec).publicKey)), kid: 'rp-ec', use: 'enc', alg: 'ECDH-ES' },
        ],
      },
    });
    clientId = client.client_id;
    clientSecret = client.client_secret!;
    config = await discover(sesame.issuer, clientId, clientSecret);
    oidc.enableDecryptingResponses(
      config,
      ['A128CBC-HS256', 'A256GCM'],
      { key: (await rsa).privateKey, kid: 'rp-rsa' },
      { key: (await ec).privateKey, kid: 'rp-ec', alg: 'ECDH-ES' },
    );
    browser = new TestBrowser(sesame.issuer);
  });
  afterAll(async () => sesame?.close());

  it('publishes an active and a next key per encryption family, with use "enc", alg and no private members; discovery lists them', async () => {
    const { keys } = await jwks();
    const encryption = keys.filter((k) => k.use === 'enc');
    expect(encryption.map((k) => k.alg).sort()).toEqual(['ECDH-ES', 'ECDH-ES', 'RSA-OAEP-256', 'RSA-OAEP-256']);
    expect(encryption.find((k) => k.alg === 'ECDH-ES')).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(encryption.find((k) => k.alg === 'RSA-OAEP-256')).toMatchObject({ kty: 'RSA' });
    for (const key of keys) {
      for (const member of PRIVATE_JWK_MEMBERS) expect(key, `${key.kid} ${member}`).not.toHaveProperty(member);
      expect(key.kid && key.alg && key.use).toBeTruthy();
    }
    const views = await sesame.container.keys.list();
    expect(
      views
        .filter((k) => k.use === 'enc')
        .map((k) => `${k.alg} ${k.state}`)
        .sort(),
    ).toEqual(['ECDH-ES active', 'ECDH-ES next', 'RSA-OAEP-256 active', 'RSA-OAEP-256 next']);

    const discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.request_parameter_supported).toBe(true);
    expect(discovery.request_object_encryption_alg_values_supported).toEqual(['RSA-OAEP-256', 'ECDH-ES']);
    expect(discovery.id_token_encryption_alg_values_supported).toEqual(expect.arrayContaining(['RSA-OAEP-256', 'ECDH-ES']));
    expect(discovery.userinfo_encryption_alg_values_supported).toEqual(expect.arrayContaining(['RSA-OAEP-256', 'ECDH-ES']));
    expect(discovery.userinfo_encryption_enc_values_supported).toEqual(expect.arrayContaining(['A128CBC-HS256', 'A256GCM']));
  });

  it('gives the RP an ID token and userinfo encrypted to its own keys, which it decrypts and verifies against /jwks', async () => {
    const start = await startAuthorization(config, { scope: 'openid email profile' });
    const callback = await signIn(browser, start, USER);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    // On the wire: a JWE to the RP's RSA key, holding a JWT signed by Sesame's active signing key.
    expect(jose.decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', kid: 'rp-rsa', cty: 'JWT' });
    const inner = oidc.getDecryptedResponses(tokens)?.id_token?.token_endpoint;
    expect(inner).toBeTruthy();
    const { payload } = await jose.jwtVerify(inner!, remoteJwks(), { issuer: sesame.issuer, audience: clientId });
    expect(payload).toMatchObject({ email: USER.email, nonce: start.nonce });
    expect(tokens.claims()?.sub).toBe(payload.sub);
    // Without the RP's private key, the token is unreadable.
    const stranger = await jose.generateKeyPair('RSA-OAEP-256');
    await expect(jose.compactDecrypt(tokens.id_token!, stranger.privateKey)).rejects.toThrow();

    const raw = await fetch(`${sesame.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(raw.headers.get('content-type')).toMatch(/^application\/jwt/);
    const jwe = await raw.text();
    expect(jose.decodeProtectedHeader(jwe)).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'rp-ec' });
    const { plaintext } = await jose.compactDecrypt(jwe, (await ec).privateKey);
    const userinfo = await jose.jwtVerify(new TextDecoder().decode(plaintext), remoteJwks(), { issuer: sesame.issuer, audience: clientId });
    expect(userinfo.payload).toMatchObject({ sub: payload.sub, email: USER.email, name: 'Eve' });
    // And through the RP library.
    const viaLibrary = await oidc.fetchUserInfo(config, tokens.access_token, payload.sub!);
    expect(viaLibrary.email).toBe(USER.email);
    expect(oidc.getDecryptedResponses(viaLibrary)).toBeTruthy();
  });

  it('accepts a request object encrypted to the active key of either family, and signs the person in with what it says', async () => {
    const start = jarStart();
    start.url = new URL(authUrl(await encryptedRequestObject(await activeEncryptionKey('RSA-OAEP-256'), start)));
    const callback = await signIn(browser, start, USER);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    expect(tokens.claims()?.email).toBe(USER.email);
    expect(await authorize(await encryptedRequestObject(await activeEncryptionKey('ECDH-ES'), jarStart()))).toMatchObject({ accepted: true });
  });

  it('refuses a request object valid for longer than REQUEST_OBJECT_LIFETIME', async () => {
    const refused = await authorize(await encryptedRequestObject(await activeEncryptionKey('RSA-OAEP-256'), jarStart(), '1h'));
    expect(refused).toMatchObject({ accepted: false, error: 'invalid_request_object', description: expect.stringContaining('must expire at most 600s') });
  });

  it('keeps the just-retired key decrypting after a scheduled rotation, and refuses it once it is deleted', async () => {
    const before = await activeEncryptionKey('RSA-OAEP-256');
    clock = new Date(clock.getTime() + ROTATION_INTERVAL_MS);
    await sesame.container.keys.maintain();
    await sesame.syncKeys();
    const retired = (await sesame.container.keys.list()).find((k) => k.kid === before.kid)!;
    expect(retired).toMatchObject({ state: 'retired', use: 'enc' });
    expect(Date.parse(retired.expires_at!) - Date.parse(retired.retired_at!)).toBe(ENCRYPTION_RETENTION_MS);
    expect((await jwks()).keys.map((k) => k.kid)).toContain(before.kid);
    expect((await activeEncryptionKey('RSA-OAEP-256')).kid).not.toBe(before.kid);
    // An RP whose cached JWKS still lists it as the active key.
    expect(await authorize(await encryptedRequestObject(before, jarStart()))).toMatchObject({ accepted: true });

    clock = new Date(clock.getTime() + ENCRYPTION_RETENTION_MS - 1000);
    await sesame.container.keys.maintain();
    expect((await sesame.container.keys.list()).some((k) => k.kid === before.kid)).toBe(true);
    clock = new Date(clock.getTime() + 1000);
    await sesame.container.keys.maintain();
    await sesame.syncKeys();
    expect((await sesame.container.keys.list()).some((k) => k.kid === before.kid)).toBe(false);
    expect((await jwks()).keys.map((k) => k.kid)).not.toContain(before.kid);
    expect(await authorize(await encryptedRequestObject(before, jarStart()))).toMatchObject(UNDECRYPTABLE);
  });

  it('revokes an encryption key at once: gone from /jwks and no longer decrypting, with a new key active', async () => {
    const target = await activeEncryptionKey('ECDH-ES');
    const { changes } = await sesame.container.keys.revoke(target.kid!, { revokeGrants: true });
    expect(changes.map((c) => c.kind)).toEqual(['revoke', 'activate', 'create']);
    await sesame.syncKeys();
    expect((await jwks()).keys.map((k) => k.kid)).not.toContain(target.kid);
    expect(await authorize(await encryptedRequestObject(target, jarStart()))).toMatchObject(UNDECRYPTABLE);
    expect(await authorize(await encryptedRequestObject(await activeEncryptionKey('ECDH-ES'), jarStart()))).toMatchObject({ accepted: true });
  });
});
