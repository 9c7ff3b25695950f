// The whole journey of an RP against the real HTTP server, with openid-client as the RP and jose
// verifying ID tokens against jwks_uri, on every database this run covers.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };

/** The OAuth error code, from a JSON error body or (401 invalid_client) a WWW-Authenticate challenge. */
function oauthError(error: unknown): string | undefined {
  const e = error as { error?: string; cause?: unknown };
  if (e.error) return e.error;
  if (Array.isArray(e.cause)) return (e.cause[0] as { parameters?: { error?: string } })?.parameters?.error;
  return undefined;
}

describe.each(PROVIDERS)('authorization code flow on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    const client = await sesame.container.clients.create({
      client_name: 'Notes <app>',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    clientId = client.client_id;
    clientSecret = client.client_secret!;
    config = await discover(sesame.issuer, clientId, clientSecret);
  });
  afterAll(async () => sesame?.close());

  it('signs in with PKCE, verifies the ID token against jwks_uri, refreshes, revokes and introspects', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid profile email offline_access', prompt: 'consent' });

    const login = await browser.request(start.url.toString());
    expect(login.status).toBe(200);
    expect(login.html).toContain('name="email"');
    const consent = await browser.submit(login, '/login', { email: USER.email, password: USER.password });
    expect(consent.html).toContain('Notes &lt;app&gt;');
    const callback = await browser.submit(consent, '/confirm');
    expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);

    const tokens = await exchange(config, new URL(callback.url), start);
    expect(tokens.refresh_token).toBeTruthy();

    const metadata = config.serverMetadata();
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri!));
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: sesame.issuer, audience: clientId });
    expect(payload.nonce).toBe(start.nonce);
    // The granted scopes' claims are in the ID token itself, not only at userinfo.
    expect(payload).toMatchObject({ email: USER.email, email_verified: true, name: USER.name });
    const activeKid = (await sesame.container.keys.list()).find((k) => k.state === 'active')!.kid;
    expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(activeKid);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, payload.sub!);
    expect(userinfo).toMatchObject({ sub: payload.sub, email: USER.email, email_verified: true, name: USER.name });

    // A confidential client's refresh token does not rotate (refresh-tokens.test.ts has the rest).
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBe(tokens.refresh_token);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);

    // Revoking an access token takes the other tokens of its grant with it.
    await oidc.tokenRevocation(config, refreshed.access_token);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
  });

  it("puts only the granted scopes' claims in the ID token, also when it is refreshed", async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid email' });
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ email: USER.email, email_verified: true });
    expect(claims).not.toHaveProperty('name');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: claims.sub, email: USER.email, email_verified: true });
    expect(refreshed.claims()).not.toHaveProperty('name');
  });

  it('rejects a replayed authorization code and revokes what the first redemption issued', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const callback = await signIn(browser, start, USER);
    const first = await exchange(config, callback, start);
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(true);

    await expect(exchange(config, callback, start)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
    expect((await oidc.tokenIntrospection(config, first.access_token)).active).toBe(false);
  });

  it('lets exactly one of many parallel redemptions of one code win', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const callback = await signIn(browser, start, USER);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => exchange(config, callback, start)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(oauthError(r.reason)).toBe('invalid_grant');
  });

  it('issues tokens to a confidential client with client_credentials', async () => {
    const machine = await sesame.container.clients.create({ client_name: 'Batch job', grant_types: ['client_credentials'] });
    const machineConfig = await discover(sesame.issuer, machine.client_id, machine.client_secret);
    const tokens = await oidc.clientCredentialsGrant(machineConfig);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const introspection = await oidc.tokenIntrospection(machineConfig, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, client_id: machine.client_id });

    const wrongSecret = await discover(sesame.issuer, machine.client_id, 'not-the-secret');
    await expect(oidc.clientCredentialsGrant(wrongSecret)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_client');
  });

  it('signs out with RP-initiated logout and the session is gone afterwards', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(browser, start, USER), start);

    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI });
    const confirm = await browser.request(endSession.toString());
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('Notes &lt;app&gt;');
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith(POST_LOGOUT_URI)).toBe(true);

    const silent = await startAuthorization(config, { prompt: 'none' });
    const page = await browser.request(silent.url.toString());
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
    expect(new URL(page.url).searchParams.get('error')).toBe('login_required');
  });

  it('shows the same message for a wrong password and an unknown email, keeping the email typed', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const login = await browser.request(start.url.toString());

    const wrongPassword = await browser.submit(login, '/login', { email: USER.email, password: 'not the password' });
    const unknownEmail = await browser.submit(wrongPassword, '/login', { email: 'nobody@example.com', password: USER.password });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const message = (html: string) => /<p[^>]*role="alert"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1]?.trim();
    expect(message(wrongPassword.html)).toBeTruthy();
    expect(message(wrongPassword.html)).toBe(message(unknownEmail.html));
    expect(wrongPassword.html).toContain(`value="${USER.email}"`);
    expect(unknownEmail.html).toContain('value="nobody@example.com"');

    // The right password still works from the same page afterwards.
    const next = await browser.submit(unknownEmail, '/login', { email: USER.email, password: USER.password });
    expect(next.status).toBe(200);
    expect(next.url).not.toContain('/login');
  });

  it('refuses a form POST without its CSRF token', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request((await startAuthorization(config)).url.toString());
    const action = /action="([^"]*\/login)"/.exec(login.html)![1]!;
    const forged = await browser.request(action, { form: { email: USER.email, password: USER.password } });
    expect(forged.status).toBe(403);
    expect(forged.url.startsWith(REDIRECT_URI)).toBe(false);
  });

  it('shows an error page, and does not redirect, for an unknown client or an unregistered redirect_uri', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const unknownClient = await startAuthorization(await discover(sesame.issuer, 'no-such-client', 'x'));
    const page1 = await browser.request(unknownClient.url.toString());
    expect(page1.status).toBe(400);
    expect(page1.url.startsWith(sesame.issuer)).toBe(true);
    expect(page1.html).toContain('invalid_client');

    const evil = await startAuthorization(config, { redirect_uri: 'https://evil.example/callback' });
    const page2 = await browser.request(evil.url.toString());
    expect(page2.status).toBe(400);
    expect(page2.url.startsWith(sesame.issuer)).toBe(true);
    expect(page2.html).toContain('redirect_uri');
    expect(page2.html).not.toMatch(/\bat .+\.js:\d+/); // no stack trace

    // Exact matching: a prefix or a different port of the registered URI is not the registered URI.
    const prefix = await startAuthorization(config, { redirect_uri: `${REDIRECT_URI}/extra` });
    expect((await browser.request(prefix.url.toString())).status).toBe(400);
  });

  it('requires PKCE even from a confidential client', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 's' });
    const page = await browser.request(url.toString());
    const error = new URL(page.url).searchParams.get('error');
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
    expect(error).toBe('invalid_request');
  });
});
