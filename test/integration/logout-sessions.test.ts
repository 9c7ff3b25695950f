// Sessions in logout, on every database this run covers: the ID token carries the session id
// (`sid`), and the back-channel logout token a real receiver verifies with jose names the same
// sid, so an app can end just that session (backchannel_logout_session_required, on by default
// with a back-channel URI, may be turned off). Front-Channel Logout 1.0 over HTTP: the signed-out
// page frames each signed-out app's frontchannel_logout_uri with iss and sid, its CSP lets exactly
// those origins be framed, and it goes on to where the sign-out leads. The same in Chromium is in
// test/e2e/frontchannel-logout.test.ts; two sessions at one app in demo-rp.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple' };
const ADMIN = '/admin/api/v1';

/** An app's back-channel logout endpoint: verifies each logout token as the spec says and keeps its claims. */
async function startReceiver(issuer: string): Promise<{ url: string; tokens: JWTPayload[]; audience: { id: string }; close(): Promise<void> }> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const tokens: JWTPayload[] = [];
  const audience = { id: '' };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      void (async () => {
        try {
          const token = new URLSearchParams(body).get('logout_token') ?? '';
          const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: audience.id, typ: 'logout+jwt', maxTokenAge: '2m' });
          expect(protectedHeader.typ).toBe('logout+jwt');
          expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
          expect(payload).not.toHaveProperty('nonce');
          tokens.push(payload);
          res.statusCode = 200;
        } catch {
          res.statusCode = 400;
        }
        res.end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/backchannel-logout`,
    tokens,
    audience,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(PROVIDERS)('sessions in logout on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    const machine = await sesame.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    adminToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
  });
  afterAll(async () => sesame?.close());

  async function admin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${sesame.issuer}${ADMIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as any };
  }

  async function register(metadata: Record<string, unknown>): Promise<{ client_id: string; client_secret: string; [field: string]: unknown }> {
    const created = await admin('POST', '/clients', {
      client_name: 'Logout app',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      ...metadata,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    return created.json;
  }

  /** Signs the browser in to the app; the RP's tokens. */
  async function signInTo(browser: TestBrowser, client: { client_id: string; client_secret: string }) {
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    return { config, tokens };
  }

  /** RP-initiated logout through the confirmation page; `everything`: "Sign out" (the whole Sesame session). */
  async function signOut(browser: TestBrowser, idToken: string, everything = true): Promise<Page> {
    const url = new URL(`${sesame.issuer}/session/end`);
    url.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'after-logout' }).toString();
    const confirm = await browser.request(url.href);
    expect(confirm.html).toContain('op.logoutForm');
    return browser.submit(confirm, '/session/end/confirm', everything ? { logout: 'yes' } : {});
  }

  it('puts sid in the ID token, and the same sid in the logout token a receiver verifies; refreshed ID tokens keep it', async () => {
    const receiver = await startReceiver(sesame.issuer);
    try {
      const client = await register({ backchannel_logout_uri: receiver.url });
      receiver.audience.id = client.client_id;
      expect(client.backchannel_logout_session_required).toBe(true);
      const browser = new TestBrowser(sesame.issuer);
      const { config, tokens } = await signInTo(browser, client);
      const sid = tokens.claims()?.sid;
      expect(sid).toEqual(expect.any(String));
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.claims()?.sid).toBe(sid);

      const done = await signOut(browser, tokens.id_token!);
      expect(done.url).toBe(`${POST_LOGOUT_URI}?state=after-logout`);
      expect(receiver.tokens).toHaveLength(1);
      expect(receiver.tokens[0]).toMatchObject({ sid, sub: tokens.claims()?.sub, aud: client.client_id, iss: sesame.issuer });
    } finally {
      await receiver.close();
    }
  });

  it('leaves sid out of both tokens when backchannel_logout_session_required is turned off (the app then ends sessions by sub)', async () => {
    const receiver = await startReceiver(sesame.issuer);
    try {
      const client = await register({ backchannel_logout_uri: receiver.url, backchannel_logout_session_required: false });
      receiver.audience.id = client.client_id;
      expect(client.backchannel_logout_session_required).toBe(false);
      const browser = new TestBrowser(sesame.issuer);
      const { tokens } = await signInTo(browser, client);
      expect(tokens.claims()).not.toHaveProperty('sid');
      await signOut(browser, tokens.id_token!);
      expect(receiver.tokens).toHaveLength(1);
      expect(receiver.tokens[0]).not.toHaveProperty('sid');
      expect(receiver.tokens[0]!.sub).toBe(tokens.claims()?.sub);

      // Turned on again, and read back only with a back-channel URI.
      expect(
        (await admin('PATCH', `/clients/${client.client_id}`, { backchannel_logout_session_required: true })).json.backchannel_logout_session_required,
      ).toBe(true);
      const without = await admin('PATCH', `/clients/${client.client_id}`, { backchannel_logout_uri: null });
      expect(without.json).not.toHaveProperty('backchannel_logout_session_required');
    } finally {
      await receiver.close();
    }
  });

  it('takes the session settings at /reg and reads them back as they apply', async () => {
    const iat = (await admin('POST', '/initial-access-tokens', {})).json.initial_access_token as string;
    const reg = (body: unknown) =>
      fetch(`${sesame.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const base = { client_name: 'Registered logout', redirect_uris: ['https://app.example/callback'] };

    const defaults = await reg({ ...base, backchannel_logout_uri: 'https://app.example/bcl', frontchannel_logout_uri: 'https://app.example/fcl' });
    expect(defaults.status).toBe(201);
    const created = (await defaults.json()) as Record<string, unknown>;
    expect(created).toMatchObject({
      backchannel_logout_session_required: true,
      frontchannel_logout_session_required: true,
      frontchannel_logout_uri: 'https://app.example/fcl',
    });
    expect(await sesame.container.clients.get(created.client_id as string)).toMatchObject({
      backchannel_logout_session_required: true,
      frontchannel_logout_session_required: true,
    });

    const off = await reg({
      ...base,
      backchannel_logout_uri: 'https://app.example/bcl',
      backchannel_logout_session_required: false,
      frontchannel_logout_uri: 'https://app.example/fcl',
      frontchannel_logout_session_required: false,
    });
    expect(off.status).toBe(201);
    const offClient = (await off.json()) as Record<string, unknown>;
    expect(offClient).toMatchObject({ backchannel_logout_session_required: false, frontchannel_logout_session_required: false });
    expect(await sesame.container.clients.get(offClient.client_id as string)).toMatchObject({
      backchannel_logout_session_required: false,
      frontchannel_logout_session_required: false,
    });

    // A front-channel page on another origin than the app's redirect URIs would let any site be framed.
    const elsewhere = await reg({ ...base, frontchannel_logout_uri: 'https://evil.example/fcl' });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toEqual({
      error: 'invalid_client_metadata',
      error_description: 'front-channel logout URI "https://evil.example/fcl" must be on the origin (scheme, host and port) of one of the redirect URIs',
    });
    const wrongType = await reg({ ...base, backchannel_logout_uri: 'https://app.example/bcl', backchannel_logout_session_required: 'yes' });
    expect(((await wrongType.json()) as { error_description: string }).error_description).toBe('backchannel_logout_session_required must be a boolean');
  });

  describe('front-channel logout', () => {
    const FRONT = 'http://localhost:8080/frontchannel-logout?from=sesame';
    const OTHER_REDIRECT = 'http://127.0.0.1:8081/callback';

    it("frames each signed-out app's front-channel URI with iss and sid, lets exactly those origins be framed, and goes on to the app", async () => {
      const discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery).toMatchObject({
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
        frontchannel_logout_supported: true,
        frontchannel_logout_session_supported: true,
      });
      const first = await register({ client_name: 'Browser app <one>', frontchannel_logout_uri: FRONT });
      expect(first.frontchannel_logout_session_required).toBe(true);
      const second = await register({
        client_name: 'Browser app two',
        redirect_uris: [REDIRECT_URI, OTHER_REDIRECT],
        frontchannel_logout_uri: 'http://127.0.0.1:8081/logged-out',
        frontchannel_logout_session_required: false,
      });
      const plain = await register({ client_name: 'No front channel' });

      const browser = new TestBrowser(sesame.issuer);
      const one = (await signInTo(browser, first)).tokens;
      const two = (await signInTo(browser, second)).tokens;
      await signInTo(browser, plain);
      expect(one.claims()?.sid).toEqual(expect.any(String));
      // The second app turned the session off: no sid for it.
      expect(two.claims()).not.toHaveProperty('sid');

      const page = await signOut(browser, one.id_token!);
      expect(page.status).toBe(200);
      expect(page.url).toBe(`${sesame.issuer}/session/end/confirm`);
      const frames = [...page.html.matchAll(/<iframe src="([^"]+)" title="([^"]+)"/g)].map(([, src, title]) => [decode(src!), decode(title!)]);
      const expected = new URL(FRONT);
      expected.searchParams.set('iss', sesame.issuer);
      expected.searchParams.set('sid', String(one.claims()?.sid));
      expect(frames).toEqual(
        expect.arrayContaining([
          [expected.href, 'Signing out of Browser app <one>'],
          ['http://127.0.0.1:8081/logged-out', 'Signing out of Browser app two'],
        ]),
      );
      expect(frames).toHaveLength(2);
      expect(page.html).toContain('Signing out of Browser app &lt;one&gt;');
      expect(page.html).toContain(`<a id="continue" class="button" href="${POST_LOGOUT_URI}?state=after-logout">Continue</a>`);
      expect(page.html).toContain('<script src="/assets/frontchannel.js" defer></script>');
      const csp = page.headers.get('content-security-policy')!;
      expect(frameSources(csp)).toEqual(['http://localhost:8080', 'http://127.0.0.1:8081']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('location')).toBeNull();
      // The Sesame session is gone.
      const again = await browser.request((await startAuthorization(await discover(sesame.issuer, plain.client_id, plain.client_secret))).url.href);
      expect(again.html).toContain('name="password"');
      expect((await fetch(`${sesame.issuer}/assets/frontchannel.js`)).status).toBe(200);
    });

    it('"Stay signed in" frames only the asking app; an app without a front-channel URI gets the redirect as before', async () => {
      const first = await register({ client_name: 'Front', frontchannel_logout_uri: FRONT });
      const second = await register({
        client_name: 'Also front',
        redirect_uris: [REDIRECT_URI, OTHER_REDIRECT],
        frontchannel_logout_uri: 'http://127.0.0.1:8081/x',
      });
      const plain = await register({ client_name: 'Plain' });
      const browser = new TestBrowser(sesame.issuer);
      const one = (await signInTo(browser, first)).tokens;
      await signInTo(browser, second);
      const three = (await signInTo(browser, plain)).tokens;

      const justOne = await signOut(browser, one.id_token!, false);
      const frames = [...justOne.html.matchAll(/<iframe src="([^"]+)"/g)].map(([, src]) => decode(src!));
      expect(frames).toHaveLength(1);
      expect(frames[0]).toMatch(/^http:\/\/localhost:8080\/frontchannel-logout\?from=sesame&iss=/);
      expect(frameSources(justOne.headers.get('content-security-policy')!)).toEqual(['http://localhost:8080']);

      const direct = await signOut(browser, three.id_token!, false);
      expect(direct.url).toBe(`${POST_LOGOUT_URI}?state=after-logout`);
      expect(direct.html).toBe('');
    });
  });
});

/** The origins a CSP lets the page frame. */
const frameSources = (csp: string) => /(?:^|;\s*)frame-src ([^;]*)/.exec(csp)![1]!.trim().split(/\s+/);

function decode(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}
