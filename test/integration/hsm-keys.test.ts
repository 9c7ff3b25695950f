// KEY_STORE=pkcs11 against SoftHSM2 (a fresh token per run): sign-in and ID tokens an RP verifies
// against /jwks, for RS256, PS256 and ES256; rotation through next → active → retired; revocation
// and expiry destroying the token's objects; private keys that cannot be read out of the token;
// two instances sharing one token and one database; start-up refusing a wrong PIN or label.
import { CompactEncrypt, compactVerify, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createKeyStore, signCompact, type KeyStore } from '../../src/domain/keys/key-store.js';
import { Pkcs11SigningKey } from '../../src/domain/keys/pkcs11-store.js';
import { SecretBox } from '../../src/domain/crypto/secret-box.js';
import { silentLogger } from '../../src/logger.js';
import { startSesame } from '../../src/server.js';
import { TestBrowser } from '../helpers/browser.js';
import { createTestDatabase, PROVIDERS } from '../helpers/databases.js';
import { exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';
import { createSoftToken, SOFTHSM_MODULE, type SoftToken } from '../helpers/softhsm.js';

const ALGS = ['RS256', 'PS256', 'ES256'] as const;
const USER = { email: 'hanna@example.com', password: 'hardware security module' };
// A key signs for a day; RPs cache the JWKS for 10 minutes; what a key signed expires within an hour.
const SCHEDULE = {
  SIGNING_ALGS: ALGS.join(','),
  KEY_ROTATION_INTERVAL: '1d',
  JWKS_CACHE_LIFETIME: '10m',
  SESSION_TTL: '1h',
  SESSION_MAX_AGE: '1h',
  ID_TOKEN_TTL: '30m',
  ACCESS_TOKEN_TTL: '20m',
  KEY_SYNC_INTERVAL: '5s',
};
const MINUTE = 60_000;

/**
 * The token as any other PKCS#11 application sees it: its own session on the module the store
 * already initialised in this process (one C_Initialize per process), logged in with the PIN.
 */
function inspectToken(token: SoftToken) {
  const p11 = new pkcs11js.PKCS11();
  p11.load(SOFTHSM_MODULE!);
  try {
    p11.C_Initialize();
  } catch (error) {
    if (!(error as Error).message.startsWith('CKR_CRYPTOKI_ALREADY_INITIALIZED')) throw error;
  }
  const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === token.label)!;
  const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p11.C_Login(session, pkcs11js.CKU_USER, token.pin);
  } catch (error) {
    if (!(error as Error).message.startsWith('CKR_USER_ALREADY_LOGGED_IN')) throw error;
  }
  const find = (template: pkcs11js.Template) => {
    p11.C_FindObjectsInit(session, template);
    try {
      return p11.C_FindObjects(session, 1000);
    } finally {
      p11.C_FindObjectsFinal(session);
    }
  };
  return {
    p11,
    session,
    /** CKA_IDs (hex) of every private key in the token. */
    privateKeyIds: () =>
      find([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }])
        .map((h) => p11.C_GetAttributeValue(session, h, [{ type: pkcs11js.CKA_ID }])[0]!.value.toString('hex'))
        .sort(),
    /** Every object (public or private) with this CKA_ID. */
    objects: (id: string) => find([{ type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') }]),
    close: () => p11.C_CloseSession(session),
  };
}

describe.runIf(SOFTHSM_MODULE).each(PROVIDERS)('signing keys in an HSM (SoftHSM2) on %s', (provider) => {
  let token: SoftToken;
  let sesame: TestSesame;
  let clock = new Date('2031-06-01T12:00:00Z');
  let browser: TestBrowser;
  const hsmRows = async () => (await sesame.container.db.prisma.signingKey.findMany()).filter((r) => r.hsmKeyId !== null);

  beforeAll(async () => {
    token = createSoftToken();
    sesame = await startTestSesame({ provider, env: { ...SCHEDULE, ...token.env }, now: () => clock });
    await sesame.container.accounts.create(USER);
    browser = new TestBrowser(sesame.issuer);
  });
  afterAll(async () => {
    await sesame?.close();
    token?.remove();
  });

  it('generates every key inside the token: the row keeps the public JWK and the CKA_ID, nothing private', async () => {
    const rows = await sesame.container.db.prisma.signingKey.findMany();
    expect(rows.map((r) => `${r.alg}:${r.state}`).sort()).toEqual(ALGS.flatMap((alg) => [`${alg}:active`, `${alg}:next`]).sort());
    const inspector = inspectToken(token);
    try {
      expect(inspector.privateKeyIds()).toEqual(rows.map((r) => r.hsmKeyId).sort());
    } finally {
      inspector.close();
    }
    const jwks = (await (await fetch(`${sesame.issuer}/jwks`)).json()) as { keys: JWK[] };
    for (const row of rows) {
      expect(row.privateJwe).toBeNull();
      expect(row.hsmKeyId).toMatch(/^[0-9a-f]{32}$/);
      const published = jwks.keys.find((k) => k.kid === row.kid)!;
      expect(published).toEqual(JSON.parse(row.publicJwk));
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(published).not.toHaveProperty(member);
    }
  });

  it('signs ID tokens in the token for RS256, PS256 and ES256, and an RP verifies each against /jwks', async () => {
    const jwks = createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`));
    for (const alg of ALGS) {
      const client = await sesame.container.clients.create({ client_name: `HSM ${alg}`, redirect_uris: [REDIRECT_URI], id_token_signed_response_alg: alg });
      const config = await oidc.discovery(
        new URL(sesame.issuer),
        client.client_id,
        { client_secret: client.client_secret!, id_token_signed_response_alg: alg },
        oidc.ClientSecretBasic(client.client_secret!),
        { execute: [oidc.allowInsecureRequests] },
      );
      const start = await startAuthorization(config, { scope: 'openid email' });
      const tokens = await exchange(config, await signIn(browser, start, USER), start);
      const header = decodeProtectedHeader(tokens.id_token!);
      const active = (await sesame.container.keys.list()).find((k) => k.alg === alg && k.state === 'active')!;
      expect(header).toMatchObject({ alg, kid: active.kid });
      const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: sesame.issuer, audience: client.client_id, algorithms: [alg] });
      expect(payload.email).toBe(USER.email);
      // The provider verifies what it signed with the key's public half: an id_token_hint at logout is accepted.
      const logout = await fetch(`${sesame.issuer}/session/end?id_token_hint=${tokens.id_token!}`);
      expect(logout.status).toBe(200);
      expect(await logout.text()).not.toMatch(/invalid_request|could not validate/);
    }
  });

  it('keeps the private keys in the token: not readable, not extractable, sensitive, on the token', async () => {
    const inspector = inspectToken(token);
    const { p11, session } = inspector;
    try {
      for (const row of await hsmRows()) {
        const [key] = inspector.objects(row.hsmKeyId!);
        expect(inspector.objects(row.hsmKeyId!)).toHaveLength(1); // the public key is not kept there: the row has it
        const secretAttribute = row.alg === 'ES256' ? pkcs11js.CKA_VALUE : pkcs11js.CKA_PRIVATE_EXPONENT;
        expect(() => p11.C_GetAttributeValue(session, key!, [{ type: secretAttribute }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
        if (row.alg !== 'ES256') expect(() => p11.C_GetAttributeValue(session, key!, [{ type: pkcs11js.CKA_PRIME_1 }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
        const flags = p11.C_GetAttributeValue(session, key!, [
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_TOKEN },
          { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        ]);
        expect(flags.map((a) => a.value[0])).toEqual([0, 1, 1, 1]);
      }
    } finally {
      inspector.close();
    }
  });

  it('rotates through next → active → retired, and the new active key signs in the token', async () => {
    const before = await sesame.container.keys.list();
    const next = before.find((k) => k.alg === 'RS256' && k.state === 'next')!;
    const active = before.find((k) => k.alg === 'RS256' && k.state === 'active')!;
    clock = new Date(clock.getTime() + 11 * MINUTE); // past the JWKS cache lifetime: the next key may sign
    const applied = await sesame.container.keys.rotate({ alg: 'RS256' });
    expect(applied.map((c) => c.kind)).toEqual(['retire', 'activate', 'create']);
    await sesame.syncKeys();
    const after = await sesame.container.keys.list();
    expect(after.find((k) => k.kid === active.kid)!.state).toBe('retired');
    expect(after.find((k) => k.kid === next.kid)!.state).toBe('active');
    const created = after.find((k) => k.alg === 'RS256' && k.state === 'next')!;
    expect(created.kid).toBe(applied[2]!.kid);

    const start = await startAuthorization(await rpFor(), { scope: 'openid' });
    const tokens = await exchange(await rpFor(), await signIn(browser, start, USER), start);
    expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(next.kid);
    await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`)), { issuer: sesame.issuer });
    await expectTokenMatchesRows();
  });

  it('revoking a key destroys its object in the token; so does deleting a retired key at the end of its retention', async () => {
    const rows = await hsmRows();
    const next = rows.find((r) => r.alg === 'ES256' && r.state === 'next')!;
    await sesame.container.keys.revoke(next.kid);
    const revoked = await sesame.container.db.prisma.signingKey.findUnique({ where: { kid: next.kid } });
    expect(revoked).toMatchObject({ state: 'revoked', hsmKeyId: null, privateJwe: null });
    const inspector = inspectToken(token);
    try {
      expect(inspector.objects(next.hsmKeyId!)).toHaveLength(0);
      const retired = rows.find((r) => r.alg === 'RS256' && r.state === 'retired')!;
      expect(inspector.objects(retired.hsmKeyId!)).toHaveLength(1);
      clock = new Date(clock.getTime() + 2 * 60 * MINUTE); // past its retention
      const applied = await sesame.container.keys.maintain();
      expect(applied).toContainEqual(expect.objectContaining({ kind: 'delete', kid: retired.kid }));
      expect(inspector.objects(retired.hsmKeyId!)).toHaveLength(0);
    } finally {
      inspector.close();
    }
    await expectTokenMatchesRows();
  });

  if (provider === 'postgresql') {
    it('two instances share the token and the database: one of them rotates, both sign, no key is left over in the token', async () => {
      const other = await startTestSesame({ db: sesame.db, env: { ...SCHEDULE, ...token.env }, now: () => clock });
      try {
        clock = new Date(clock.getTime() + 25 * 60 * MINUTE); // every family's active key has signed for a day
        const [a, b] = await Promise.all([sesame.container.keys.maintain(), other.container.keys.maintain()]);
        // Exactly one instance rotated each family; the key pairs the other made for its draft are gone from the token.
        expect(
          [...a, ...b]
            .filter((c) => c.kind === 'activate')
            .map((c) => c.alg)
            .sort(),
        ).toEqual([...ALGS].sort());
        await Promise.all([sesame.syncKeys(), other.syncKeys()]);
        expect(sesame.holder.suspended()).toBeUndefined();
        expect(other.holder.suspended()).toBeUndefined();
        const start = await startAuthorization(await rpFor(), { scope: 'openid' });
        const tokens = await exchange(await rpFor(), await signIn(browser, start, USER), start);
        const active = (await other.container.keys.list()).find((k) => k.alg === 'RS256' && k.state === 'active')!;
        expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(active.kid);
      } finally {
        await other.close();
      }
      await expectTokenMatchesRows();
    });
  }

  let rp: oidc.Configuration | undefined;
  async function rpFor(): Promise<oidc.Configuration> {
    if (rp) return rp;
    const client = await sesame.container.clients.create({ client_name: 'HSM RP', redirect_uris: [REDIRECT_URI] });
    rp = await oidc.discovery(new URL(sesame.issuer), client.client_id, client.client_secret!, oidc.ClientSecretBasic(client.client_secret!), {
      execute: [oidc.allowInsecureRequests],
    });
    return rp;
  }

  /** No key pair is left in the token that no row refers to (those made for a plan another instance carried out, say). */
  async function expectTokenMatchesRows(): Promise<void> {
    const inspector = inspectToken(token);
    try {
      expect(inspector.privateKeyIds()).toEqual((await hsmRows()).map((r) => r.hsmKeyId).sort());
    } finally {
      inspector.close();
    }
  }
});

describe.runIf(SOFTHSM_MODULE)('the PKCS#11 key store itself', () => {
  let token: SoftToken;
  let store: KeyStore;
  beforeAll(() => {
    token = createSoftToken();
  });
  afterAll(async () => {
    await store?.close();
    token?.remove();
  });
  const configOf = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...TEST_SECRETS, ...token.env, ...env });

  it('makes RS256, PS256 and ES256 signatures that jose verifies with the public JWK, and kid is its RFC 7638 thumbprint', async () => {
    const config = configOf({});
    store = await createKeyStore(config.keyStore, { box: new SecretBox(config.keyEncryptionSecrets), rsaModulusLength: 2048 });
    for (const alg of ALGS) {
      const key = await store.generate(alg);
      expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: 'sig', kty: alg === 'ES256' ? 'EC' : 'RSA' });
      const { calculateJwkThumbprint } = await import('jose');
      expect(await calculateJwkThumbprint(key.publicJwk)).toBe(key.kid);
      const signer = await store.open({ kid: key.kid, alg, publicJwk: JSON.stringify(key.publicJwk), ...key.ref });
      expect(signer).toBeInstanceOf(Pkcs11SigningKey);
      const header = Buffer.from(JSON.stringify({ alg, kid: key.kid })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ hello: alg })).toString('base64url');
      // Several signatures at once, as concurrent requests make them (one session each).
      const signatures = await Promise.all(
        [1, 2, 3].map(async () => Buffer.from(await (signer as Pkcs11SigningKey).sign(Buffer.from(`${header}.${body}`))).toString('base64url')),
      );
      for (const signature of signatures) {
        const verified = await compactVerify(`${header}.${body}.${signature}`, await importJWK(key.publicJwk, alg));
        expect(JSON.parse(Buffer.from(verified.payload).toString())).toEqual({ hello: alg });
      }
      if (alg === 'ES256') expect(Buffer.from(signatures[0]!, 'base64url')).toHaveLength(64); // raw r||s
      // What Sesame signs itself (not through the provider) goes through the same key.
      const jws = await signCompact(signer, { typ: 'JWT' }, Buffer.from('{"own":true}'));
      const own = await compactVerify(jws, await importJWK(key.publicJwk, alg));
      expect(own.protectedHeader).toEqual({ typ: 'JWT', alg, kid: key.kid });
      await store.destroy(key.ref);
      await expect(store.open({ kid: key.kid, alg, publicJwk: JSON.stringify(key.publicJwk), ...key.ref })).rejects.toThrow(/holds no private key/);
    }
    // The login is the process's, shared by all its sessions: closed, so that the next test logs in anew.
    await store.close();
  });

  it('stops start-up with one line for a wrong PIN or an unknown token label, never printing the PIN', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const startWith = async (env: Record<string, string>) => {
        const config = loadConfig({ NODE_ENV: 'test', PORT: '0', DATABASE_URL: db.url, ...TEST_SECRETS, ...token.env, ...env });
        const started = await startSesame(config, silentLogger, { skipMigrations: true, server: createServer() });
        await started.close();
        return started;
      };
      const wrongPin = await startWith({ PKCS11_PIN: 'not-the-pin-4242' }).catch((error: unknown) => error);
      expect(wrongPin).toBeInstanceOf(ConfigError);
      expect((wrongPin as ConfigError).problems).toEqual([`PKCS11_PIN is invalid: token "${token.label}" refused it (CKR_PIN_INCORRECT)`]);
      expect(String(wrongPin)).not.toContain('not-the-pin-4242');
      const wrongLabel = await startWith({ PKCS11_TOKEN_LABEL: 'no-such-token' }).catch((error: unknown) => error);
      expect((wrongLabel as ConfigError).problems).toEqual([
        `PKCS11_TOKEN_LABEL="no-such-token" is invalid: no initialised token with that label in PKCS11_MODULE (tokens: ${token.label})`,
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe.runIf(SOFTHSM_MODULE)('encryption keys next to signing keys in an HSM', () => {
  let token: SoftToken;
  let sesame: TestSesame;
  beforeAll(async () => {
    token = createSoftToken();
    sesame = await startTestSesame({ env: { ...token.env, SIGNING_ALGS: 'ES256', ENCRYPTION_ALGS: 'ECDH-ES' } });
  });
  afterAll(async () => {
    await sesame?.close();
    token?.remove();
  });

  // oidc-provider decrypts only with a private JWK: an ExternalSigningKey can sign, not decrypt.
  it('keeps encryption keys sealed in the database, and decrypts a request object encrypted to the active one', async () => {
    const rows = await sesame.container.db.prisma.signingKey.findMany();
    for (const row of rows.filter((r) => r.alg === 'ES256')) expect(row).toMatchObject({ privateJwe: null, hsmKeyId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    for (const row of rows.filter((r) => r.alg === 'ECDH-ES')) expect(row).toMatchObject({ privateJwe: expect.any(String), hsmKeyId: null });
    expect(rows.filter((r) => r.alg === 'ECDH-ES')).toHaveLength(2);

    const client = await sesame.container.clients.create({ client_name: 'JAR', redirect_uris: [REDIRECT_URI] });
    const active = (await sesame.container.keys.list()).find((k) => k.alg === 'ECDH-ES' && k.state === 'active')!;
    const jwks = (await (await fetch(`${sesame.issuer}/jwks`)).json()) as { keys: JWK[] };
    const to = jwks.keys.find((k) => k.kid === active.kid)!;
    expect(to.use).toBe('enc');
    const verifier = oidc.randomPKCECodeVerifier();
    const signed = await new SignJWT({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(client.client_id)
      .setAudience(sesame.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(client.client_secret!));
    const request = await new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128CBC-HS256', kid: to.kid!, cty: 'JWT' })
      .encrypt(await importJWK(to, 'ECDH-ES'));
    const response = await fetch(`${sesame.issuer}/auth?${new URLSearchParams({ client_id: client.client_id, request })}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/interaction\//);
  });
});
