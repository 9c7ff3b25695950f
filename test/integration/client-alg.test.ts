// Per-client ID token algorithms against the real HTTP server: a client registered with
// id_token_signed_response_alg ES256 gets ES256 ID tokens (verifiable against jwks_uri), one
// registered without it gets the first enabled algorithm, and discovery lists exactly the enabled
// algorithms.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { TestBrowser } from '../helpers/browser.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };
const ENABLED = ['RS256', 'ES256'];

describe('per-client ID token signing algorithm', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame({ env: { SIGNING_ALGS: ENABLED.join(',') } });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
  });
  afterAll(async () => sesame?.close());

  /** Signs in through the login and consent pages and returns the ID token the client received. */
  async function idTokenFor(config: oidc.Configuration): Promise<string> {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    expect(tokens.id_token).toEqual(expect.any(String));
    return tokens.id_token!;
  }

  async function activeKid(alg: string): Promise<string> {
    return (await sesame.container.keys.list()).find((k) => k.alg === alg && k.state === 'active')!.kid;
  }

  it('lists exactly the enabled algorithms in discovery, and publishes a key for each', async () => {
    const response = await fetch(`${sesame.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.id_token_signing_alg_values_supported).toEqual(ENABLED);

    const jwks = (await (await fetch(String(metadata.jwks_uri))).json()) as { keys: { alg: string }[] };
    expect([...new Set(jwks.keys.map((k) => k.alg))].sort()).toEqual([...ENABLED].sort());
  });

  it('signs ID tokens with ES256 for a client registered with it', async () => {
    const client = await sesame.container.clients.create({
      client_name: 'EC app',
      redirect_uris: [REDIRECT_URI],
      id_token_signed_response_alg: 'ES256',
    });
    expect(client.id_token_signed_response_alg).toBe('ES256');
    // An RP configured for ES256 (openid-client then accepts nothing else).
    const config = await oidc.discovery(
      new URL(sesame.issuer),
      client.client_id,
      { client_secret: client.client_secret!, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(client.client_secret!),
      { execute: [oidc.allowInsecureRequests] },
    );

    const idToken = await idTokenFor(config);
    const header = decodeProtectedHeader(idToken);
    expect(header.alg).toBe('ES256');
    expect(header.kid).toBe(await activeKid('ES256'));
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
      issuer: sesame.issuer,
      audience: client.client_id,
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toEqual(expect.any(String));
  });

  it('signs with the first enabled algorithm (RS256) for a client registered without one', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Plain app', redirect_uris: [REDIRECT_URI] });
    expect(client).not.toHaveProperty('id_token_signed_response_alg');
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);

    const idToken = await idTokenFor(config);
    expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'RS256', kid: await activeKid('RS256') });
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    await expect(jwtVerify(idToken, jwks, { issuer: sesame.issuer, audience: client.client_id, algorithms: ['RS256'] })).resolves.toBeTruthy();
  });

  it('refuses to register a client with an algorithm that is not enabled', async () => {
    for (const alg of ['PS256', 'EdDSA', 'HS256', 'none']) {
      await expect(sesame.container.clients.create({ client_name: 'Nope', redirect_uris: [REDIRECT_URI], id_token_signed_response_alg: alg })).rejects.toThrow(
        new ValidationError(`id_token_signed_response_alg "${alg}" is not enabled; SIGNING_ALGS has RS256, ES256`, 'id_token_signed_response_alg'),
      );
    }
    expect((await sesame.container.clients.list()).map((c) => c.client_name)).not.toContain('Nope');
  });
});
