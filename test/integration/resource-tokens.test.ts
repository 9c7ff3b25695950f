// JWT access tokens for APIs (RFC 8707 resource indicators, RFC 9068 tokens): what an API behind
// Sesame verifies with jose against jwks_uri.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const API = 'https://api.example.com/';
const USER = { email: 'api@example.com', password: 'resource password 123' };

describe('access tokens for a registered API', () => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let clientId: string;

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create(USER);
    const client = await sesame.container.clients.create({
      client_name: 'API caller',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid email offline_access api:read',
      resources: [API],
    });
    clientId = client.client_id;
    config = await discover(sesame.issuer, clientId, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  it('issues an RFC 9068 JWT for the API that verifies against jwks_uri, and keeps the ID token flow', async () => {
    const start = await startAuthorization(config, { scope: 'openid email api:read', resource: API });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start);
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`)), {
      issuer: sesame.issuer,
      audience: API,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ client_id: clientId, scope: 'api:read', sub: tokens.claims()!.sub });
    expect(tokens.id_token).toBeTruthy();
  });

  it('refuses a resource that is not registered for the client', async () => {
    const start = await startAuthorization(config, { scope: 'openid email', resource: 'https://other.example.com/' });
    const page = await new TestBrowser(sesame.issuer).request(start.url.toString());
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
    expect(new URL(page.url).searchParams.get('error')).toBe('invalid_target');
  });

  it('keeps access tokens without a resource opaque and good for userinfo', async () => {
    const start = await startAuthorization(config, { scope: 'openid email' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start);
    expect(tokens.access_token.split('.')).toHaveLength(1);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo.email).toBe(USER.email);
  });
});
