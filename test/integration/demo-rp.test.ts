// The demo relying parties (examples/demo-rp) against a real Sesame: two apps, one browser,
// single sign-on, an API call with a verified JWT access token, and single logout reaching the
// other app over the back channel. A second part runs one app against a stand-in issuer whose
// keys the test holds, to check the token rules one by one.
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApp, type DemoApp } from '../../examples/demo-rp/app.js';
import { signedInPage } from '../../examples/demo-rp/pages.js';
import type { SignedInUser } from '../../examples/demo-rp/sessions.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../examples/demo-rp/tokens.js';
import type { ClientRegistration } from '../../src/domain/clients/schema.js';
import type { Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { MultiOriginBrowser } from '../helpers/multi-origin-browser.js';
import { discover, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };

interface RunningApp extends DemoApp {
  name: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

async function listen(handler?: RequestListener): Promise<{ server: Server; baseUrl: string }> {
  const server = handler ? createServer(handler) : createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://localhost:${(server.address() as AddressInfo).port}` };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A demo app on a free port, registered in Sesame the way `npm run demo` registers it. */
async function startApp(sesame: TestSesame, name: string): Promise<RunningApp> {
  const { server, baseUrl } = await listen();
  const input: ClientRegistration & { resources: string[] } = {
    client_name: name,
    redirect_uris: [`${baseUrl}/callback`],
    post_logout_redirect_uris: [`${baseUrl}/`],
    backchannel_logout_uri: `${baseUrl}/backchannel-logout`,
    scope: 'openid profile email offline_access api',
    resources: [`${baseUrl}/api`],
  };
  const client = await sesame.container.clients.create(input);
  const demo = await createDemoApp({ name, baseUrl, issuer: sesame.issuer, clientId: client.client_id, clientSecret: client.client_secret! });
  server.on('request', demo.app.callback());
  return { ...demo, name, baseUrl, clientId: client.client_id, clientSecret: client.client_secret!, close: () => closeServer(server) };
}

const signedInAs = (page: Page, who: string) => page.html.includes(`Signed in as <strong>${who}</strong>`);
const signedOut = (page: Page) => page.html.includes('You are not signed in.') && page.html.includes('href="/login"');

/** Clicks "Sign in" in an app and goes through whatever Sesame asks (login, consent). */
async function signInTo(
  browser: MultiOriginBrowser,
  app: RunningApp,
  sesame: TestSesame,
): Promise<{ page: Page; askedPassword: boolean; askedConsent: boolean }> {
  let page = await browser.request(`${app.baseUrl}/login`);
  const askedPassword = page.html.includes('name="password"');
  if (askedPassword) page = await submitLogin(browser, page, USER.email, USER.password);
  const askedConsent = page.url.startsWith(`${sesame.issuer}/interaction/`) && page.html.includes('/confirm');
  if (askedConsent) page = await browser.submit(page, '/confirm');
  return { page, askedPassword, askedConsent };
}

function sessionOf(browser: MultiOriginBrowser, app: RunningApp): SignedInUser | undefined {
  const cookieName = `${app.name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_session`;
  return app.sessions.get(browser.cookie('localhost', cookieName))?.user;
}

describe.each(PROVIDERS)('demo relying parties on %s', (provider) => {
  let sesame: TestSesame;
  let appA: RunningApp;
  let appB: RunningApp;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    appA = await startApp(sesame, 'App A');
    appB = await startApp(sesame, 'App B');
  });
  afterAll(async () => {
    await appA?.close();
    await appB?.close();
    await sesame?.close();
  });

  it('signs in to A, then to B without a password, calls the API, and signs out of both from A', async () => {
    const browser = new MultiOriginBrowser();
    let page = await browser.request(`${appA.baseUrl}/`);
    expect(page.html).toContain('<h1>App A</h1>');
    expect(signedOut(page)).toBe(true);

    const a = await signInTo(browser, appA, sesame);
    expect(a.askedPassword).toBe(true);
    expect(a.askedConsent).toBe(true);
    page = a.page;
    expect(page.url).toBe(`${appA.baseUrl}/`);
    expect(signedInAs(page, USER.name)).toBe(true);
    expect(page.html).toContain(USER.email);
    const sub = sessionOf(browser, appA)!.sub;
    expect(page.html).toContain(sub);

    page = await browser.request(`${appA.baseUrl}/call-api`);
    expect(page.html).toContain('API answer: 200 OK');
    expect(page.html).toContain(`&quot;sub&quot;: &quot;${sub}&quot;`);
    expect(page.html).toContain(`&quot;aud&quot;: &quot;${appA.baseUrl}/api&quot;`);

    // Single sign-on: Sesame remembers the person; B only needs consent, once.
    const b = await signInTo(browser, appB, sesame);
    expect(b.askedPassword).toBe(false);
    expect(b.askedConsent).toBe(true);
    expect(b.page.url).toBe(`${appB.baseUrl}/`);
    expect(b.page.html).toContain('<h1>App B</h1>');
    expect(signedInAs(b.page, USER.name)).toBe(true);
    expect(sessionOf(browser, appB)!.sub).toBe(sub);

    // Sign out in A: A's session goes, Sesame asks to confirm, then tells B over the back channel.
    page = await browser.request(`${appA.baseUrl}/`);
    page = await browser.submit(page, '/logout');
    expect(page.url.startsWith(`${sesame.issuer}/session/end`)).toBe(true);
    expect(page.html).toContain('App A');
    page = await browser.submit(page, '/session/end/confirm', { logout: 'yes' });
    expect(page.url).toBe(`${appA.baseUrl}/`);
    expect(signedOut(page)).toBe(true);

    page = await browser.request(`${appB.baseUrl}/`);
    expect(page.html).toContain('<h1>App B</h1>');
    expect(signedOut(page), 'B is still signed in: the back-channel logout did not reach B').toBe(true);

    // And Sesame's own session is gone: a silent request needs a login.
    const config = await discover(sesame.issuer, appA.clientId, appA.clientSecret);
    const silent = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${appA.baseUrl}/callback`,
      scope: 'openid',
      prompt: 'none',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    });
    const answer = await browser.request(silent.href, { stopAt: (url) => url.href.startsWith(`${appA.baseUrl}/callback`) });
    expect(new URL(answer.url).searchParams.get('error')).toBe('login_required');
  });

  it('ends only the signed-out session at the other app: two sessions of one person, told apart by sid', async () => {
    // The same person in two browsers: two Sesame sessions, each signed in to B.
    const first = new MultiOriginBrowser();
    expect((await signInTo(first, appA, sesame)).page.url).toBe(`${appA.baseUrl}/`);
    expect((await signInTo(first, appB, sesame)).page.url).toBe(`${appB.baseUrl}/`);
    const second = new MultiOriginBrowser();
    const other = await signInTo(second, appB, sesame);
    expect(other.askedPassword).toBe(true);
    const firstAtB = sessionOf(first, appB)!;
    const secondAtB = sessionOf(second, appB)!;
    expect(firstAtB.sub).toBe(secondAtB.sub);
    expect(firstAtB.sid).toEqual(expect.any(String));
    expect(secondAtB.sid).toEqual(expect.any(String));
    expect(firstAtB.sid).not.toBe(secondAtB.sid);

    // The first browser signs out of everything from A; Sesame tells B which session ended.
    let page = await first.request(`${appA.baseUrl}/`);
    page = await first.submit(page, '/logout');
    page = await first.submit(page, '/session/end/confirm', { logout: 'yes' });
    expect(page.url).toBe(`${appA.baseUrl}/`);
    expect(signedOut(await first.request(`${appB.baseUrl}/`))).toBe(true);
    // The other session of the same person at B is still there.
    expect(signedInAs(await second.request(`${appB.baseUrl}/`), USER.name)).toBe(true);
    expect(sessionOf(second, appB)?.sid).toBe(secondAtB.sid);
  });

  it("refuses missing, garbled and other apps' tokens at the API with 401", async () => {
    const browser = new MultiOriginBrowser();
    expect((await signInTo(browser, appB, sesame)).page.url).toBe(`${appB.baseUrl}/`);
    const fromB = sessionOf(browser, appB)!;
    const api = `${appA.baseUrl}/api/me`;
    const call = (authorization?: string) => fetch(api, authorization ? { headers: { authorization } } : {});

    const missing = await call();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);

    for (const token of ['garbled', 'not.a.jwt', fromB.idToken, fromB.accessToken]) {
      const response = await call(`Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
    }
    // The same token is good at the API it was issued for.
    const own = await fetch(`${appB.baseUrl}/api/me`, { headers: { authorization: `Bearer ${fromB.accessToken}` } });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ sub: fromB.sub, aud: `${appB.baseUrl}/api` });
  });

  it('replaces an expired access token with its refresh token (offline_access without prompt=consent), no round trip', async () => {
    const browser = new MultiOriginBrowser();
    await signInTo(browser, appA, sesame);
    const user = sessionOf(browser, appA)!;
    expect(user.refreshToken).toEqual(expect.any(String));
    const before = user.accessToken;
    user.accessTokenExpiresAt = Date.now() - 1000;

    const mark = browser.history.length;
    const page = await browser.request(`${appA.baseUrl}/call-api`);
    expect(page.html).toContain('API answer: 200 OK');
    expect(browser.history.slice(mark).some((url) => url.startsWith(sesame.issuer))).toBe(false);
    expect(sessionOf(browser, appA)!.accessToken).not.toBe(before);
  });

  it('gets a new access token through the Sesame session (no password) when it has no refresh token', async () => {
    const browser = new MultiOriginBrowser();
    await signInTo(browser, appA, sesame);
    const user = sessionOf(browser, appA)!;
    user.refreshToken = undefined;
    const before = user.accessToken;
    user.accessTokenExpiresAt = Date.now() - 1000;
    user.signedInAt = Date.now() - 60_000;

    const mark = browser.history.length;
    const page = await browser.request(`${appA.baseUrl}/call-api`);
    expect(page.url).toBe(`${appA.baseUrl}/call-api`);
    expect(page.html).toContain('API answer: 200 OK');
    const hops = browser.history.slice(mark);
    expect(hops.some((url) => url.startsWith(`${sesame.issuer}/auth`))).toBe(true);
    expect(hops.some((url) => url.startsWith(`${sesame.issuer}/interaction/`))).toBe(false);
    expect(sessionOf(browser, appA)!.accessToken).not.toBe(before);
  });

  it('refuses a bad back-channel logout token with 400 and keeps the sessions', async () => {
    const browser = new MultiOriginBrowser();
    await signInTo(browser, appA, sesame);
    const user = sessionOf(browser, appA)!;
    const post = (body: Record<string, string>) => fetch(`${appA.baseUrl}/backchannel-logout`, { method: 'POST', body: new URLSearchParams(body) });

    for (const body of [{}, { logout_token: 'garbled' }, { logout_token: user.idToken }] as Record<string, string>[]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    }
    expect(sessionOf(browser, appA)?.sub).toBe(user.sub);
  });

  it('shows a denied consent as a page in the app', async () => {
    const browser = new MultiOriginBrowser();
    let page = await browser.request(`${appA.baseUrl}/login`);
    page = await submitLogin(browser, page, USER.email, USER.password);
    page = await browser.submit(page, '/abort');
    expect(page.url.startsWith(`${appA.baseUrl}/callback`)).toBe(true);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Sign-in cancelled');
    expect(page.html).toContain('access_denied');
    expect((await browser.request(`${appA.baseUrl}/`)).html).toContain('You are not signed in.');
  });
});

describe('demo app token rules, against a stand-in issuer', () => {
  const CLIENT_ID = 'demo-client';
  let issuer: string;
  let issuerServer: Server;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let jwk: JWK;
  let app: DemoApp & { baseUrl: string };
  let appServer: Server;
  const refreshRequests: URLSearchParams[] = [];

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    otherKey = (await generateKeyPair('ES256')).privateKey;

    const started = await listen((req, res) => {
      const path = new URL(req.url ?? '/', issuer).pathname;
      res.setHeader('content-type', 'application/json');
      if (path === '/.well-known/openid-configuration') {
        res.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            token_endpoint_auth_methods_supported: ['client_secret_basic'],
            end_session_endpoint: `${issuer}/session/end`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['ES256'],
          }),
        );
      } else if (path === '/jwks') {
        res.end(JSON.stringify({ keys: [jwk] }));
      } else if (path === '/token' && req.method === 'POST') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          const form = new URLSearchParams(body);
          refreshRequests.push(form);
          void sign({ sub: 'user-r', scope: 'api' }, { audience: form.get('resource') ?? undefined }).then((accessToken) =>
            res.end(JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-2', scope: 'api' })),
          );
        });
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    issuerServer = started.server;
    issuer = started.baseUrl;

    const rp = await listen();
    appServer = rp.server;
    const demo = await createDemoApp({ name: 'App A', baseUrl: rp.baseUrl, issuer, clientId: CLIENT_ID, clientSecret: 'demo-secret' });
    appServer.on('request', demo.app.callback());
    app = { ...demo, baseUrl: rp.baseUrl };
  });
  afterAll(async () => {
    if (appServer) await closeServer(appServer);
    if (issuerServer) await closeServer(issuerServer);
  });

  interface SignOptions {
    typ?: string;
    /** Sign with a key the issuer does not publish (same kid). */
    foreignKey?: boolean;
    audience?: string;
    iss?: string;
    exp?: string;
  }

  function sign(claims: Record<string, unknown>, { typ = 'at+jwt', foreignKey = false, audience, iss = issuer, exp = '5m' }: SignOptions = {}) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ })
      .setIssuer(iss)
      .setAudience(audience ?? `${app.baseUrl}/api`)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(foreignKey ? otherKey : key);
  }

  const callApi = (token: string) => fetch(`${app.baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts an RFC 9068 access token for its API and answers sub, scope and aud', async () => {
    const response = await callApi(await sign({ sub: 'user-1', scope: 'openid api', client_id: CLIENT_ID }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'user-1', scope: 'openid api', aud: `${app.baseUrl}/api` });
  });

  it.each<[string, SignOptions]>([
    ['another audience', { audience: 'http://localhost:1/api' }],
    ['another issuer', { iss: 'http://localhost:1' }],
    ['a key the issuer does not publish', { foreignKey: true }],
    ['the wrong type (an ID token)', { typ: 'JWT' }],
    ['an expired token', { exp: '-1m' }],
  ])('refuses %s with 401 invalid_token', async (_, options) => {
    const response = await callApi(await sign({ sub: 'user-1', scope: 'api' }, options));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a token without the api scope with 403 insufficient_scope', async () => {
    const response = await callApi(await sign({ sub: 'user-1', scope: 'openid' }));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  function signedIn(sub: string, sid?: string) {
    const user: SignedInUser = { sub, sid, idToken: 'id', accessToken: 'at', signedInAt: Date.now() };
    return app.sessions.signIn(app.sessions.create(), user);
  }

  const logoutToken = (claims: Record<string, unknown>, options: SignOptions = {}) =>
    sign(
      { events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, jti: randomUUID(), ...claims },
      { typ: options.typ ?? 'logout+jwt', audience: options.audience ?? CLIENT_ID, exp: '2m' },
    );
  const backchannel = (token: string) => fetch(`${app.baseUrl}/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: token }) });

  it('ends the sessions a logout token names, by sid or by sub, and refuses a replay', async () => {
    const one = signedIn('user-2', 'sid-1');
    const two = signedIn('user-2', 'sid-2');
    const three = signedIn('user-3', 'sid-3');

    const bySid = await logoutToken({ sub: 'user-2', sid: 'sid-1' });
    expect((await backchannel(bySid)).status).toBe(200);
    expect(app.sessions.get(one.id)).toBeUndefined();
    expect(app.sessions.get(two.id)).toBeDefined();

    const replay = await backchannel(bySid);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error_description: string }).error_description).toMatch(/already used/);

    expect((await backchannel(await logoutToken({ sub: 'user-2' }))).status).toBe(200);
    expect(app.sessions.get(two.id)).toBeUndefined();
    expect(app.sessions.get(three.id)).toBeDefined();
  });

  it.each<[string, Record<string, unknown>, SignOptions]>([
    ['a nonce', { sub: 'user-4', nonce: 'n' }, {}],
    ['no sid and no sub', {}, {}],
    ['no back-channel logout event', { sub: 'user-4', events: { 'http://example.com/other': {} } }, {}],
    ['another audience', { sub: 'user-4' }, { audience: 'someone-else' }],
    ['the wrong type', { sub: 'user-4' }, { typ: 'JWT' }],
  ])('refuses a logout token with %s (400) and keeps the session', async (_, claims, options) => {
    const session = signedIn('user-4');
    const response = await backchannel(await logoutToken(claims, options));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    expect(app.sessions.get(session.id)).toBeDefined();
  });

  it('refreshes an expired access token for its API when it holds a refresh token', async () => {
    const session = signedIn('user-r');
    Object.assign(session.user!, { refreshToken: 'rt-1', accessTokenExpiresAt: Date.now() - 1000, accessToken: 'expired' });
    const response = await fetch(`${app.baseUrl}/call-api`, { headers: { cookie: `app_a_session=${session.id}` } });
    const html = await response.text();
    expect(html).toContain('API answer: 200 OK');
    expect(refreshRequests.at(-1)?.get('grant_type')).toBe('refresh_token');
    expect(refreshRequests.at(-1)?.get('refresh_token')).toBe('rt-1');
    expect(refreshRequests.at(-1)?.get('resource')).toBe(`${app.baseUrl}/api`);
    expect(session.user).toMatchObject({ refreshToken: 'rt-2' });
  });

  it('refuses a sign-out POST without the CSRF token of its session', async () => {
    const session = signedIn('user-5');
    const cookie = `app_a_session=${session.id}`;
    const post = (csrf: string) =>
      fetch(`${app.baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: new URLSearchParams({ csrf }) });
    expect((await post('wrong')).status).toBe(403);
    expect(app.sessions.get(session.id)).toBeDefined();
    const ok = await post(session.csrf);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toMatch(new RegExp(`^${issuer}/session/end\\?`));
    expect(new URL(ok.headers.get('location')!).searchParams.get('post_logout_redirect_uri')).toBe(`${app.baseUrl}/`);
    expect(app.sessions.get(session.id)).toBeUndefined();
  });

  it('escapes everything it prints', () => {
    const page = signedInPage(
      'App <A>',
      { sub: '"><script>x</script>', name: '<img src=x onerror=alert(1)>', email: 'a&b@example.com', idToken: '', accessToken: '', signedInAt: 0 },
      'c"srf',
      {
        status: 200,
        body: '{"sub":"<b>"}',
      },
    );
    expect(page).not.toMatch(/<script>|<img|<b>/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('value="c&quot;srf"');
  });
});
