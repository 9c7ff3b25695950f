// Key rotation as relying parties see it: real RP libraries (jose's createLocalJWKSet and
// createRemoteJWKSet, jwks-rsa) verifying ID tokens across rotations and a revocation. The key
// decisions run on a fake clock (so "published for the cache lifetime" takes no real time);
// tokens are issued by the real server.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, importSPKI, jwtVerify, type JSONWebKeySet } from 'jose';
import { JwksClient } from 'jwks-rsa';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ROTATION_INTERVAL_MS = 30 * 24 * 3600 * 1000; // KEY_ROTATION_INTERVAL's default
const USER = { email: 'rita@example.com', password: 'rotation proof password' };

describe.each(PROVIDERS)('rotation seen by relying parties on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let clientId: string;
  let clock = new Date('2030-01-01T00:00:00Z');
  let refreshToken: string;
  let browser: TestBrowser;

  const jwksUrl = () => `${sesame.issuer}/jwks`;
  const fetchJwks = async () => (await (await fetch(jwksUrl())).json()) as JSONWebKeySet;
  const activeKid = async () => (await sesame.container.keys.list()).find((k) => k.state === 'active')!.kid;
  async function freshIdToken(): Promise<string> {
    const tokens = await oidc.refreshTokenGrant(config, refreshToken);
    refreshToken = tokens.refresh_token!;
    return tokens.id_token!;
  }
  const verifyWith = (token: string, keys: Parameters<typeof jwtVerify>[1]) => jwtVerify(token, keys as never, { issuer: sesame.issuer, audience: clientId });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, now: () => clock });
    await sesame.container.accounts.create(USER);
    const client = await sesame.container.clients.create({
      client_name: 'Verifier',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
    });
    clientId = client.client_id;
    config = await discover(sesame.issuer, clientId, client.client_secret);
    browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'consent' });
    refreshToken = (await exchange(config, await signIn(browser, start, USER), start)).refresh_token!;
  });
  afterAll(async () => sesame?.close());

  it('serves /jwks with an ETag, 304 on If-None-Match, and a max-age derived from the schedule', async () => {
    const response = await fetch(jwksUrl());
    // JWKS_CACHE_LIFETIME 900s - the RP libraries' own 600s - KEY_SYNC_INTERVAL 5s
    expect(response.headers.get('cache-control')).toBe('public, max-age=295');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await fetch(jwksUrl(), { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(jwksUrl(), { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
  });

  it('never fails an RP across three scheduled rotations: each new token verifies with the JWKS cached before it', async () => {
    const jwksRsa = new JwksClient({ jwksUri: jwksUrl() });
    const etags = new Set<string>();
    let issuedBefore: string;
    for (let rotation = 0; rotation < 3; rotation++) {
      // What an RP cached before the rotation (jose keeps a fetched set up to 10 minutes).
      const snapshot = createLocalJWKSet(await fetchJwks());
      etags.add((await fetch(jwksUrl())).headers.get('etag')!);
      issuedBefore = await freshIdToken();
      const before = await activeKid();

      clock = new Date(clock.getTime() + ROTATION_INTERVAL_MS); // the schedule, not a manual rotate
      // This call or the instance's own tick (the change feed wakes it, on the same clock), whichever
      // comes first, rotates: exactly one acts. So the outcome is checked in the table, not in the plan.
      await sesame.container.keys.maintain();
      await sesame.syncKeys();
      const keys = await sesame.container.keys.list();
      const after = await activeKid();
      expect(after).not.toBe(before);
      expect(keys.find((k) => k.kid === before)?.state).toBe('retired');
      expect(keys.filter((k) => k.state === 'next')).toHaveLength(1);

      const token = await freshIdToken();
      expect(decodeProtectedHeader(token).kid).toBe(after);
      await expect(verifyWith(token, snapshot)).resolves.toBeTruthy();
      // jwks-rsa with its default options, as an RP would use it.
      const key = await jwksRsa.getSigningKey(after);
      await expect(jwtVerify(token, await importSPKI(key.getPublicKey(), 'RS256'), { issuer: sesame.issuer })).resolves.toBeTruthy();
      // The token issued just before the rotation verifies afterwards with a fresh remote set.
      await expect(verifyWith(issuedBefore, createRemoteJWKSet(new URL(jwksUrl())))).resolves.toBeTruthy();
    }
    expect(etags.size).toBe(3);
  });

  it('accepts an id_token_hint signed by a retired key at logout', async () => {
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    const hintKid = decodeProtectedHeader(tokens.id_token!).kid;

    clock = new Date(clock.getTime() + 400 * 24 * 3600 * 1000); // past any retention: a clean rotation
    await sesame.container.keys.maintain(); // deletes expired retired keys, rotates the due family
    await sesame.syncKeys();
    const keys = await sesame.container.keys.list();
    expect(keys.find((k) => k.kid === hintKid)?.state).toBe('retired');

    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI });
    const confirm = await browser.request(endSession.toString());
    expect(confirm.status).toBe(200);
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith(POST_LOGOUT_URI)).toBe(true);
  });

  it('makes a revoked key vanish from the JWKS at once: its tokens fail, the next key signs', async () => {
    const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
    refreshToken = (await exchange(config, await signIn(browser, start, USER), start)).refresh_token!;
    const compromised = await activeKid();
    const signedByIt = await freshIdToken();
    expect(decodeProtectedHeader(signedByIt).kid).toBe(compromised);

    await sesame.container.keys.revoke(compromised);
    await sesame.syncKeys();
    expect((await fetchJwks()).keys.map((k) => k.kid)).not.toContain(compromised);
    await expect(verifyWith(signedByIt, createRemoteJWKSet(new URL(jwksUrl())))).rejects.toThrow();

    const replacement = await freshIdToken();
    expect(decodeProtectedHeader(replacement).kid).not.toBe(compromised);
    await expect(verifyWith(replacement, createRemoteJWKSet(new URL(jwksUrl())))).resolves.toBeTruthy();
  });
});
