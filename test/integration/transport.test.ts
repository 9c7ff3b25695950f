// What a request says about itself is not trusted: discovery's URLs come from ISSUER whatever the
// Host or X-Forwarded-Host, the source address is what the last trusted proxy saw, and an https
// issuer gets HSTS and Secure cookies even when the proxy in front speaks plain http to Sesame.
import { request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { discover, REDIRECT_URI, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with exactly these headers (fetch will not send a Host of our choosing). */
function raw(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SPOOFED = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

describe.each(['false', '1'])('TRUST_PROXY=%s', (trustProxy) => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ env: { TRUST_PROXY: trustProxy } });
  });
  afterAll(async () => sesame?.close());

  it('builds discovery from ISSUER, never from Host or X-Forwarded-Host', async () => {
    const res = await raw(`${sesame.url}/.well-known/openid-configuration`, SPOOFED);
    expect(res.status).toBe(200);
    const document = JSON.parse(res.body) as Record<string, unknown>;
    expect(document.issuer).toBe(sesame.issuer);
    const urls = Object.entries(document).filter(([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri' ? typeof value === 'string' : false));
    expect(urls.length).toBeGreaterThan(5);
    for (const [key, value] of urls) expect(value, key).toMatch(new RegExp(`^${sesame.issuer}/`));
    expect(res.body).not.toContain('evil.example');
  });
});

describe('source address through proxies', () => {
  const cases = [
    { trust: 'false', expected: '127.0.0.1' },
    { trust: '1', expected: '10.1.2.3' },
    { trust: '2', expected: '6.6.6.6' },
    { trust: '127.0.0.1', expected: '10.1.2.3' },
    { trust: 'loopback,10.0.0.0/8', expected: '6.6.6.6' },
  ];

  it.each(cases)('TRUST_PROXY=$trust records $expected for X-Forwarded-For "1.1.1.1, 6.6.6.6, 10.1.2.3"', async ({ trust, expected }) => {
    const sesame = await startTestSesame({ env: { TRUST_PROXY: trust } });
    try {
      const forwarded = { 'x-forwarded-for': '1.1.1.1, 6.6.6.6, 10.1.2.3' };
      const client = await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] });
      // Our own pages: a failed sign-in.
      const browser = new TestBrowser(sesame.issuer, forwarded);
      const start = await startAuthorization(await discover(sesame.issuer, client.client_id, client.client_secret));
      await submitLogin(browser, await browser.request(start.url.toString()), 'nobody@example.com', 'wrong password');
      // The provider's endpoints: a failed client authentication.
      await fetch(`${sesame.issuer}/token`, {
        method: 'POST',
        headers: { ...forwarded, authorization: `Basic ${btoa(`${client.client_id}:wrong`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const { events } = await sesame.container.audit.list({ limit: 50 });
      const failedLogin = events.find((e) => e.action === 'login.failed');
      const failedClient = events.find((e) => e.action === 'client.authentication_failed');
      expect(failedLogin?.source_address).toBe(expected);
      expect(failedClient?.source_address).toBe(expected);
    } finally {
      await sesame.close();
    }
  });
});

describe('an https issuer behind a TLS-terminating proxy', () => {
  let sesame: TestSesame;
  const issuer = 'https://id.sesame.test';
  beforeAll(async () => {
    sesame = await startTestSesame({ env: { ISSUER: issuer, TRUST_PROXY: '1' } });
  });
  afterAll(async () => sesame?.close());

  it('sends HSTS and Secure cookies whatever the request scheme, and discovery says https', async () => {
    const client = await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] });
    const discovery = await raw(`${sesame.url}/.well-known/openid-configuration`, { 'x-forwarded-proto': 'http' });
    expect(discovery.headers['strict-transport-security']).toBe('max-age=31536000');
    const document = JSON.parse(discovery.body) as { issuer: string; authorization_endpoint: string };
    expect(document.issuer).toBe(issuer);
    expect(document.authorization_endpoint).toBe(`${issuer}/auth`);

    const params = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    // No X-Forwarded-Proto at all: the proxy in front did not say, the issuer decides.
    const auth = await raw(`${sesame.url}/auth?${params}`, {});
    expect(auth.status).toBe(303);
    expect(auth.headers['strict-transport-security']).toBe('max-age=31536000');
    const providerCookies = auth.headers['set-cookie'] ?? [];
    expect(providerCookies.length).toBeGreaterThan(0);
    for (const cookie of providerCookies) expect(cookie).toMatch(/;\s*secure/i);
    expect(String(auth.headers.location)).toMatch(new RegExp(`^(${issuer})?/interaction/`));

    const path = new URL(String(auth.headers.location), issuer).pathname;
    const cookie = providerCookies.map((c) => c.split(';')[0]).join('; ');
    const login = await raw(`${sesame.url}${path}`, { cookie });
    expect(login.status).toBe(200);
    const ours = login.headers['set-cookie'] ?? [];
    const csrf = ours.find((c) => c.startsWith('__Host-sesame.csrf='));
    expect(csrf, ours.join('\n')).toBeDefined();
    expect(csrf).toMatch(/;\s*secure/i);
    expect(csrf).toMatch(/;\s*path=\/(;|$)/i);
    expect(csrf).not.toMatch(/;\s*domain=/i);
    expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
  });
});
