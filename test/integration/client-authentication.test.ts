// Client authentication with a real RP library (openid-client), on every database this run covers:
// each method discovery lists (client_secret_basic, client_secret_post, client_secret_jwt,
// private_key_jwt with jwks and with jwks_uri, none) is registered through the admin API or /reg,
// signs a person in, refreshes, introspects and revokes. Discovery lists exactly those methods and
// the assertion algorithms that work (each one is used); a method or algorithm it does not list is
// refused. Keys that are not public signing keys are refused at registration, naming the member and
// never echoing it; no secret shows up in a later response, the log or the audit log.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = '/admin/api/v1';
const USER = { email: 'ada@example.com', password: 'correct horse battery staple' };
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** openid-client's error for a 401 invalid_client (in the body, or in WWW-Authenticate after Basic). */
const refusedClient = (e: unknown) => (e as { status?: number }).status === 401;

interface JsonResponse {
  status: number;
  json: any;
  text: string;
}

/** What a client is registered with, and how the RP library then authenticates it. */
interface Setup {
  metadata: Record<string, unknown>;
  auth(registered: { client_secret?: string }): oidc.ClientAuth;
}

describe.each(PROVIDERS)('client authentication on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;
  let jwksServer: Server;
  let jwksUri: string;
  /** What the app behind jwks_uri publishes: replaced to rotate its key. */
  let published: { keys: jose.JWK[] } = { keys: [] };
  const logLines: string[] = [];
  /** Every secret and private key seen: none may appear in a later response, the log or the audit log. */
  const secrets: string[] = [];

  const ecKey = jose.generateKeyPair('ES256', { extractable: true });
  const rsaKey = jose.generateKeyPair('PS256', { extractable: true });

  async function publicJwk(pair: Promise<jose.GenerateKeyPairResult>, kid: string): Promise<jose.JWK> {
    const { publicKey, privateKey } = await pair;
    const priv = await jose.exportJWK(privateKey);
    secrets.push(priv.d!);
    return { ...(await jose.exportJWK(publicKey)), kid };
  }

  const SETUPS: Record<string, Setup> = {
    client_secret_basic: { metadata: {}, auth: ({ client_secret }) => oidc.ClientSecretBasic(client_secret!) },
    client_secret_post: { metadata: { token_endpoint_auth_method: 'client_secret_post' }, auth: ({ client_secret }) => oidc.ClientSecretPost(client_secret!) },
    client_secret_jwt: { metadata: { token_endpoint_auth_method: 'client_secret_jwt' }, auth: ({ client_secret }) => oidc.ClientSecretJwt(client_secret!) },
    private_key_jwt: {
      // jwks inline, filled in beforeAll; the jwks_uri variant is its own test below.
      metadata: { token_endpoint_auth_method: 'private_key_jwt' },
      auth: () => oidc.PrivateKeyJwt({ key: ecPrivate, kid: 'ec-1' }),
    },
    none: { metadata: { token_endpoint_auth_method: 'none' }, auth: () => oidc.None() },
  };
  let ecPrivate: jose.GenerateKeyPairResult['privateKey'];

  async function request(method: string, path: string, options: { token?: string; body?: unknown; form?: Record<string, string> } = {}): Promise<JsonResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(new URL(path, sesame.issuer), { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    return { status: response.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
  }
  const admin = (method: string, path: string, body?: unknown) => request(method, ADMIN + path, { token: adminToken, ...(body !== undefined ? { body } : {}) });

  async function registerViaApi(name: string, metadata: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string }> {
    const created = await admin('POST', '/clients', { client_name: name, redirect_uris: [REDIRECT_URI], ...metadata });
    expect(created.status, created.text).toBe(201);
    if (created.json.client_secret) secrets.push(created.json.client_secret as string);
    return created.json as { client_id: string; client_secret?: string };
  }

  const rpConfig = (clientId: string, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(sesame.issuer), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });

  /** A person signs in; the RP exchanges the code, refreshes, introspects and revokes with its method. */
  async function fullJourney(config: oidc.Configuration, clientId: string): Promise<void> {
    const start = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start);
    expect(tokens.claims()?.aud).toBe(clientId);
    expect(tokens.refresh_token).toBeTruthy();

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();

    const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: clientId });

    const current = refreshed.refresh_token ?? tokens.refresh_token!;
    await oidc.tokenRevocation(config, current);
    await expect(oidc.refreshTokenGrant(config, current)).rejects.toSatisfy((e) => (e as { error?: string }).error === 'invalid_grant');
  }

  /** A token request authenticated by a client assertion made here with jose (as any RP library makes it). */
  async function assertionGrant(
    clientId: string,
    key: jose.GenerateKeyPairResult['privateKey'] | Uint8Array,
    alg: string,
    kid?: string,
  ): Promise<JsonResponse> {
    const assertion = await new jose.SignJWT({})
      .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(sesame.issuer)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    return request('POST', '/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion },
    });
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, log: createLogger('debug', (line) => void logLines.push(line)) });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    const machine = await sesame.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    secrets.push(machine.client_secret!);
    adminToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
    secrets.push(adminToken);

    ecPrivate = (await ecKey).privateKey;
    SETUPS.private_key_jwt!.metadata.jwks = { keys: [await publicJwk(ecKey, 'ec-1')] };

    // The app's own key server, as jwks_uri names it.
    published = { keys: [await publicJwk(rsaKey, 'rsa-1')] };
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(published));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://localhost:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await sesame?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it.each(Object.keys(SETUPS))('%s: registered through the admin API, signs in, refreshes, introspects and revokes with openid-client', async (method) => {
    const setup = SETUPS[method]!;
    const registered = await registerViaApi(`App ${method}`, setup.metadata);
    expect(Boolean(registered.client_secret)).toBe(['client_secret_basic', 'client_secret_post', 'client_secret_jwt'].includes(method));
    const stored = await admin('GET', `/clients/${registered.client_id}`);
    expect(stored.json).toMatchObject({ token_endpoint_auth_method: method });
    expect(stored.json).not.toHaveProperty('client_secret');

    await fullJourney(await rpConfig(registered.client_id, setup.auth(registered)), registered.client_id);

    // A way of presenting credentials that is not this client's method is refused. (The secret in
    // the Authorization header or in the body are one family: oidc-provider accepts either for both.)
    if (method !== 'none') {
      const wrong =
        method === 'client_secret_jwt' ? oidc.ClientSecretBasic(registered.client_secret!) : oidc.ClientSecretJwt(registered.client_secret ?? 'x'.repeat(43));
      await expect(oidc.clientCredentialsGrant(await rpConfig(registered.client_id, wrong))).rejects.toSatisfy(refusedClient);
    }
  });

  it('private_key_jwt with jwks_uri: the app publishes its keys, and a new key is picked up', async () => {
    const registered = await registerViaApi('App jwks_uri', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: jwksUri,
      token_endpoint_auth_signing_alg: 'PS256',
    });
    expect(registered.client_secret).toBeUndefined();
    const { privateKey } = await rsaKey;
    await fullJourney(await rpConfig(registered.client_id, oidc.PrivateKeyJwt({ key: privateKey, kid: 'rsa-1' })), registered.client_id);

    // A key signed with another algorithm than the registered one is refused.
    const ec = await jose.generateKeyPair('ES256');
    published = { keys: [...published.keys, { ...(await jose.exportJWK(ec.publicKey)), kid: 'ec-other' }] };
    expect((await assertionGrant(registered.client_id, ec.privateKey, 'ES256', 'ec-other')).status).toBe(401);
  });

  it('discovery lists exactly the methods and assertion algorithms that work, the same for introspection and revocation', async () => {
    const discovery = (await request('GET', '/.well-known/openid-configuration')).json;
    // Every advertised method has a passing journey above, and every method with one is advertised.
    expect([...discovery.token_endpoint_auth_methods_supported].sort()).toEqual(Object.keys(SETUPS).sort());
    expect(discovery.introspection_endpoint_auth_methods_supported).toEqual(discovery.token_endpoint_auth_methods_supported);
    expect(discovery.revocation_endpoint_auth_methods_supported).toEqual(discovery.token_endpoint_auth_methods_supported);
    expect(discovery.introspection_endpoint_auth_signing_alg_values_supported).toEqual(discovery.token_endpoint_auth_signing_alg_values_supported);
    expect(discovery.revocation_endpoint_auth_signing_alg_values_supported).toEqual(discovery.token_endpoint_auth_signing_alg_values_supported);

    // Each advertised algorithm: a client registered for it authenticates with an assertion signed with it.
    const algs: string[] = discovery.token_endpoint_auth_signing_alg_values_supported;
    expect(algs.length).toBeGreaterThan(1);
    for (const alg of algs) {
      const machine = { client_name: `Assertion ${alg}`, grant_types: ['client_credentials'], token_endpoint_auth_signing_alg: alg };
      let response: JsonResponse;
      if (alg.startsWith('HS')) {
        const created = await admin('POST', '/clients', { ...machine, token_endpoint_auth_method: 'client_secret_jwt' });
        expect(created.status, created.text).toBe(201);
        secrets.push(created.json.client_secret as string);
        response = await assertionGrant(created.json.client_id as string, new TextEncoder().encode(created.json.client_secret as string), alg);
      } else {
        const pair = await jose.generateKeyPair(alg, { extractable: true });
        const jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: `k-${alg}` };
        const created = await admin('POST', '/clients', { ...machine, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
        expect(created.status, created.text).toBe(201);
        response = await assertionGrant(created.json.client_id as string, pair.privateKey, alg, jwk.kid);
      }
      expect(response.status, `${alg}: ${response.text}`).toBe(200);
      expect(response.json.token_type).toBe('Bearer');
    }

    // What discovery does not list is refused: at registration (admin API and /reg), and at /token.
    const iat = (await admin('POST', '/initial-access-tokens', {})).json.initial_access_token as string;
    secrets.push(iat);
    for (const method of ['tls_client_auth', 'self_signed_tls_client_auth', 'attest_jwt_client_auth', 'client_secret']) {
      expect(discovery.token_endpoint_auth_methods_supported).not.toContain(method);
      const viaApi = await admin('POST', '/clients', { client_name: 'Unlisted', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: method });
      expect(viaApi.status).toBe(422);
      expect(viaApi.json.errors[0].message).toMatch(new RegExp(`^token_endpoint_auth_method "${method}" is not supported; use client_secret_basic, `));
      const viaReg = await request('POST', '/reg', {
        token: iat,
        body: { client_name: 'Unlisted', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: method },
      });
      expect(viaReg.status).toBe(400);
      expect(viaReg.json.error_description).toBe(viaApi.json.errors[0].message);
    }
    const hs384 = await admin('POST', '/clients', {
      client_name: 'HS384',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_jwt',
      token_endpoint_auth_signing_alg: 'HS384',
    });
    expect(algs).not.toContain('HS384');
    expect(hs384.status).toBe(422);
    // An unlisted algorithm at /token: HS384 with a client_secret_jwt client's secret, and an unsigned assertion.
    const jwtClient = await admin('POST', '/clients', {
      client_name: 'JWT',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_jwt',
    });
    secrets.push(jwtClient.json.client_secret as string);
    const secretKey = new TextEncoder().encode(jwtClient.json.client_secret as string);
    expect((await assertionGrant(jwtClient.json.client_id as string, secretKey, 'HS256')).status).toBe(200);
    const unlisted = await assertionGrant(jwtClient.json.client_id as string, secretKey, 'HS384');
    expect(unlisted.status).toBe(401);
    expect(unlisted.json.error).toBe('invalid_client');
    const unsigned = new jose.UnsecuredJWT({ jti: crypto.randomUUID() })
      .setIssuer(jwtClient.json.client_id as string)
      .setSubject(jwtClient.json.client_id as string)
      .setAudience(sesame.issuer)
      .setExpirationTime('1m')
      .encode();
    const none = await request('POST', '/token', {
      form: {
        grant_type: 'client_credentials',
        client_id: jwtClient.json.client_id as string,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: unsigned,
      },
    });
    expect(none.status).toBe(401);
  });

  it('refuses an assertion used twice, for another audience, or signed by a key the client did not register', async () => {
    const registered = await registerViaApi('Strict', { token_endpoint_auth_method: 'private_key_jwt', jwks: SETUPS.private_key_jwt!.metadata.jwks });
    const assertion = await new jose.SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
      .setIssuer(registered.client_id)
      .setSubject(registered.client_id)
      .setAudience(sesame.issuer)
      .setJti(crypto.randomUUID())
      .setExpirationTime('1m')
      .sign(ecPrivate);
    const form = { grant_type: 'client_credentials', client_id: registered.client_id, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion };
    // The client is registered for the code flow: its assertion is good, the grant is not.
    const first = await request('POST', '/token', { form });
    expect(first.json, first.text).toEqual({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
    const replay = await request('POST', '/token', { form });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toBe('invalid_client');

    const elsewhere = await new jose.SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(registered.client_id)
      .setSubject(registered.client_id)
      .setAudience('https://another.example')
      .setJti(crypto.randomUUID())
      .setExpirationTime('1m')
      .sign(ecPrivate);
    expect((await request('POST', '/token', { form: { ...form, client_assertion: elsewhere } })).status).toBe(401);
    const stranger = await jose.generateKeyPair('ES256');
    expect((await assertionGrant(registered.client_id, stranger.privateKey, 'ES256')).status).toBe(401);
  });

  it('registers each method at /reg (openid-client dynamicClientRegistration), and RFC 7592 switches between secret methods', async () => {
    const iat = (await admin('POST', '/initial-access-tokens', {})).json.initial_access_token as string;
    secrets.push(iat);
    const registerWith = (metadata: Record<string, unknown>, auth?: oidc.ClientAuth) =>
      oidc.dynamicClientRegistration(new URL(sesame.issuer), { client_name: 'Registered', grant_types: ['client_credentials'], ...metadata }, auth, {
        initialAccessToken: iat,
        execute: [oidc.allowInsecureRequests],
      });

    const post = await registerWith({ token_endpoint_auth_method: 'client_secret_post' });
    const postSecret = post.clientMetadata().client_secret as string;
    secrets.push(postSecret, post.clientMetadata().registration_access_token as string);
    expect((await oidc.clientCredentialsGrant(await rpConfig(post.clientMetadata().client_id, oidc.ClientSecretPost(postSecret)))).token_type).toBe('bearer');

    const jwt = await registerWith({ token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256' });
    const jwtSecret = jwt.clientMetadata().client_secret as string;
    secrets.push(jwtSecret, jwt.clientMetadata().registration_access_token as string);
    expect((await oidc.clientCredentialsGrant(await rpConfig(jwt.clientMetadata().client_id, oidc.ClientSecretJwt(jwtSecret)))).token_type).toBe('bearer');

    const keys = await registerWith({ token_endpoint_auth_method: 'private_key_jwt', jwks: SETUPS.private_key_jwt!.metadata.jwks });
    expect(keys.clientMetadata().client_secret).toBeUndefined();
    secrets.push(keys.clientMetadata().registration_access_token as string);
    const keysClient = keys.clientMetadata().client_id;
    expect((await sesame.container.clients.get(keysClient)).has_secret).toBe(false);
    expect((await oidc.clientCredentialsGrant(await rpConfig(keysClient, oidc.PrivateKeyJwt({ key: ecPrivate, kid: 'ec-1' })))).token_type).toBe('bearer');

    const fromUri = await registerWith({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri });
    secrets.push(fromUri.clientMetadata().registration_access_token as string);
    const { privateKey } = await rsaKey;
    expect(
      (await oidc.clientCredentialsGrant(await rpConfig(fromUri.clientMetadata().client_id, oidc.PrivateKeyJwt({ key: privateKey, kid: 'rsa-1' })))).token_type,
    ).toBe('bearer');

    // RFC 7592: the post client moves to client_secret_jwt and keeps its secret.
    const { client_id: postId, registration_client_uri: uri, registration_access_token: rat } = post.clientMetadata() as Record<string, string>;
    const moved = await request('PUT', uri!, {
      token: rat!,
      body: { client_id: postId, client_name: 'Registered', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_jwt' },
    });
    expect(moved.status, moved.text).toBe(200);
    secrets.push(moved.json.registration_access_token as string);
    expect(moved.json.token_endpoint_auth_method).toBe('client_secret_jwt');
    expect((await oidc.clientCredentialsGrant(await rpConfig(postId!, oidc.ClientSecretJwt(postSecret)))).token_type).toBe('bearer');
    await expect(oidc.clientCredentialsGrant(await rpConfig(postId!, oidc.ClientSecretPost(postSecret)))).rejects.toSatisfy(refusedClient);
  });

  it('refuses keys that are not public signing keys, and mismatched settings, with the same message on the admin API and /reg', async () => {
    const iat = (await admin('POST', '/initial-access-tokens', {})).json.initial_access_token as string;
    secrets.push(iat);
    const { privateKey } = await ecKey;
    const privateJwk = { ...(await jose.exportJWK(privateKey)), kid: 'leaked' };
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const pkj = { token_endpoint_auth_method: 'private_key_jwt' };
    const ec = SETUPS.private_key_jwt!.metadata.jwks as { keys: jose.JWK[] };
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { ...pkj, jwks: { keys: [privateJwk] } },
        'jwks',
        'jwks.keys[0] contains the private member "d": register the public key only (the private key stays with the app)',
      ],
      [
        { ...pkj, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
        'jwks',
        'jwks.keys[0] is a symmetric key (kty "oct"): private_key_jwt takes public keys; a client that signs with a shared secret uses client_secret_jwt',
      ],
      [{ ...pkj, jwks: { keys: [weak] } }, 'jwks', 'jwks.keys[0] is an RSA key of 1024 bits; at least 2048 are needed'],
      [{ ...pkj, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] } }, 'jwks', 'jwks.keys[0] is not a valid EC public key'],
      [
        { ...pkj, jwks: { keys: [{ ...ec.keys[0], use: 'enc' }] } },
        'jwks',
        `jwks.keys[0] has use "enc": a client's assertion key must be a signing key (use "sig")`,
      ],
      [pkj, 'jwks', 'a private_key_jwt client needs its public keys: register jwks or jwks_uri'],
      [{ ...pkj, jwks: ec, jwks_uri: 'https://app.example/jwks' }, 'jwks_uri', 'a private_key_jwt client registers either jwks or jwks_uri, not both'],
      [{ ...pkj, jwks_uri: 'http://app.example/jwks' }, 'jwks_uri', 'JWKS URI "http://app.example/jwks" must use https (http is allowed only for localhost)'],
      [{ ...pkj, jwks: ec, token_endpoint_auth_signing_alg: 'RS256' }, 'jwks', 'jwks has no key that signs with token_endpoint_auth_signing_alg "RS256"'],
      [
        { ...pkj, jwks: ec, token_endpoint_auth_signing_alg: 'HS256' },
        'token_endpoint_auth_signing_alg',
        'token_endpoint_auth_signing_alg "HS256" signs with a shared secret, which a private_key_jwt client does not have; use client_secret_jwt for that',
      ],
      [
        { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'ES256' },
        'token_endpoint_auth_signing_alg',
        'token_endpoint_auth_signing_alg "ES256" needs a private key; client_secret_jwt signs with the secret: use HS256',
      ],
      [
        { token_endpoint_auth_signing_alg: 'HS256' },
        'token_endpoint_auth_signing_alg',
        'token_endpoint_auth_signing_alg is only for the client_secret_jwt and private_key_jwt methods; this client uses client_secret_basic',
      ],
      [
        { token_endpoint_auth_method: 'client_secret_post', jwks: ec },
        'jwks',
        'jwks is only for private_key_jwt clients and clients with encrypted responses (id_token_encrypted_response_alg, userinfo_encrypted_response_alg); this client uses client_secret_post',
      ],
    ];
    // The shape of the set: the admin API names the member as its other type errors do; /reg says it in words.
    const shapes: [Record<string, unknown>, string, string][] = [
      [{ ...pkj, jwks: { keys: [] } }, 'jwks.keys', 'jwks must hold at least one key'],
      [{ ...pkj, jwks: { keys: 'none' } }, 'jwks.keys', 'jwks.keys must be an array'],
      [{ ...pkj, jwks: { keys: ec.keys, extra: true } }, 'jwks.extra', 'jwks does not take "extra"'],
    ];
    for (const [metadata, field, message] of shapes) {
      const body = { client_name: 'Refused keys', redirect_uris: [REDIRECT_URI], ...metadata };
      const viaApi = await admin('POST', '/clients', body);
      expect(viaApi.status, viaApi.text).toBe(422);
      expect(viaApi.json.errors[0].field).toBe(field);
      const viaReg = await request('POST', '/reg', { token: iat, body });
      expect(viaReg.json, viaReg.text).toEqual({ error: 'invalid_client_metadata', error_description: message });
    }
    for (const [metadata, field, message] of cases) {
      const body = { client_name: 'Refused keys', redirect_uris: [REDIRECT_URI], ...metadata };
      const viaApi = await admin('POST', '/clients', body);
      expect(viaApi.status, viaApi.text).toBe(422);
      expect(viaApi.json.errors).toEqual([{ field, message }]);
      const viaReg = await request('POST', '/reg', { token: iat, body });
      expect(viaReg.status, viaReg.text).toBe(400);
      expect(viaReg.json).toEqual({ error: 'invalid_client_metadata', error_description: message });
      // The private key's value is never echoed.
      expect(viaApi.text + viaReg.text).not.toContain(privateJwk.d);
    }
    expect((await sesame.container.clients.list()).map((c) => c.client_name)).not.toContain('Refused keys');
  });

  it('switches among the secret methods keeping the secret; refuses a switch that would make a secret appear or vanish', async () => {
    const registered = await registerViaApi('Switcher', { grant_types: ['client_credentials'], redirect_uris: [] });
    const patched = await admin('PATCH', `/clients/${registered.client_id}`, { token_endpoint_auth_method: 'client_secret_jwt' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ token_endpoint_auth_method: 'client_secret_jwt', has_secret: true });
    expect(patched.json).not.toHaveProperty('client_secret');
    expect((await oidc.clientCredentialsGrant(await rpConfig(registered.client_id, oidc.ClientSecretJwt(registered.client_secret!)))).token_type).toBe(
      'bearer',
    );

    const toKeys = await admin('PATCH', `/clients/${registered.client_id}`, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: SETUPS.private_key_jwt!.metadata.jwks,
    });
    expect(toKeys.status).toBe(409);
    expect(toKeys.json.detail).toBe(
      `client ${registered.client_id} authenticates with its secret (client_secret_jwt) and cannot switch to private_key_jwt, which uses the client's own keys and no secret; register a new client instead`,
    );
    const toPublic = await admin('PATCH', `/clients/${registered.client_id}`, { token_endpoint_auth_method: 'none' });
    expect(toPublic.status).toBe(409);
    expect(toPublic.json.detail).toBe(`client ${registered.client_id} is confidential and cannot become public; register a new client instead`);
    const keys = await registerViaApi('Keys only', { ...SETUPS.private_key_jwt!.metadata, grant_types: ['client_credentials'], redirect_uris: [] });
    const rotate = await admin('POST', `/clients/${keys.client_id}/rotate-secret`);
    expect(rotate.status).toBe(409);
    expect(rotate.json.detail).toContain('authenticates with its own keys (private_key_jwt) and has no secret');
    // Its keys can be replaced.
    const rotatedKeys = { keys: [await publicJwk(jose.generateKeyPair('ES256', { extractable: true }), 'ec-2')] };
    expect((await admin('PATCH', `/clients/${keys.client_id}`, { jwks: rotatedKeys })).json.jwks).toEqual(rotatedKeys);
  });

  it('no secret or private key shows up in a later response, the log or the audit log', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const listed = (await admin('GET', '/clients?limit=200')).text;
    const audit = JSON.stringify(await sesame.container.audit.list({ limit: 500 }));
    for (const secret of secrets) {
      expect(listed).not.toContain(secret);
      expect(audit).not.toContain(secret);
      for (const line of logLines) expect(line).not.toContain(secret);
    }
  });
});
