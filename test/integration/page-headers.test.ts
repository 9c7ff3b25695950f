// The pages oidc-provider renders itself carry the same headers as ours: the CSP (with a hash for
// the form_post page's inline script, and nothing else allowed to run), no framing (the form_post
// page: only by the origin of the redirect URI it posts to), no caching.
// In Chromium the form_post page still submits itself to the RP under that CSP.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { CHROMIUM_PATH, launchChromium } from '../helpers/chromium.js';
import { discover, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'headers@example.com', password: 'pages carry their headers', name: 'Hedda' };

/** The page headers; `frameAncestor`: the one origin that may frame the page (otherwise none may). */
function expectPageHeaders(page: Page, frameAncestor?: string): string {
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain(`frame-ancestors ${frameAncestor ?? "'none'"}`);
  expect(page.headers.get('x-frame-options')).toBe(frameAncestor === undefined ? 'DENY' : null);
  expect(page.headers.get('cache-control')).toContain('no-store');
  expect(page.headers.get('content-type')).toContain('text/html');
  return csp;
}

/** What a CSP hash source for each inline script of the page must be. */
function scriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(([, body]) => `'sha256-${createHash('sha256').update(body!).digest('base64')}'`);
}

describe('pages oidc-provider renders', () => {
  let sesame: TestSesame;
  let clientId: string;
  let clientSecret: string;
  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    const client = await sesame.container.clients.create({
      client_name: 'Form Post App',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: ['http://localhost:8080/signed-out'],
    });
    clientId = client.client_id;
    clientSecret = client.client_secret!;
  });
  afterAll(async () => sesame?.close());

  it('form_post: the auto-submitting page has the page headers, a CSP hash for exactly its script, and only its redirect URI origin may frame it', async () => {
    const config = await discover(sesame.issuer, clientId, clientSecret);
    const browser = new TestBrowser(sesame.issuer);
    let page = await browser.request((await startAuthorization(config, { response_mode: 'form_post' })).url.toString());
    page = await browser.submit(page, '/login', { email: USER.email, password: USER.password });
    page = await browser.submit(page, '/confirm');

    expect(page.status).toBe(200);
    expect(page.html).toContain(`<form method="post" action="${REDIRECT_URI}">`);
    expect(page.html).toMatch(/name="code" value="[^"]+"/);
    // Framed by the RP's own page only (silent sign-in in an iframe: test/e2e/iframe-prompt-none.test.ts).
    const csp = expectPageHeaders(page, new URL(REDIRECT_URI).origin);
    const hashes = scriptHashes(page.html);
    expect(hashes).toHaveLength(1);
    expect(csp).toContain(`script-src ${hashes[0]}`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src[^;]*'self'/);
  });

  it('the logout confirmation and the error pages have the page headers and no script', async () => {
    const config = await discover(sesame.issuer, clientId, clientSecret);
    const browser = new TestBrowser(sesame.issuer);
    await signIn(browser, await startAuthorization(config), USER);

    const logout = await browser.request(`/session/end?client_id=${encodeURIComponent(clientId)}`);
    expect(logout.status).toBe(200);
    expect(logout.html).toContain('op.logoutForm');
    expect(expectPageHeaders(logout)).not.toContain('script-src');
    expect(logout.html).not.toContain('<script');

    const error = await browser.request('/auth?client_id=nobody&response_type=code&scope=openid');
    expect(error.status).toBe(400);
    expect(expectPageHeaders(error)).not.toContain('script-src');
    expect(error.html).not.toContain('<script');
  });
});

describe.runIf(CHROMIUM_PATH)('form_post in Chromium', () => {
  let sesame: TestSesame;
  let rp: Server;
  let browser: Browser;
  let callback: string;
  /** The form the RP's callback received. */
  let received: Promise<URLSearchParams>;

  beforeAll(async () => {
    received = new Promise((resolve) => {
      rp = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          res.end('received');
          if (req.method === 'POST' && req.url === '/callback') resolve(new URLSearchParams(body));
        });
      });
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    callback = `http://localhost:${(rp.address() as AddressInfo).port}/callback`;
    sesame = await startTestSesame();
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rp?.close();
    await sesame?.close();
  });

  it('submits itself to the RP under the CSP, with no violation reported', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Form Post App', redirect_uris: [callback] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(config, { response_mode: 'form_post', redirect_uri: callback });

    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(start.url.toString());
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();

    // Nobody clicks anything on the form_post page: only its script can have sent this.
    let timer: NodeJS.Timeout | undefined;
    const form = await Promise.race([
      received,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the form_post page did not submit itself: ${violations.join(' | ')}`)), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(form.get('code')).toBeTruthy();
    expect(form.get('state')).toBe(start.state);
    await page.waitForURL(callback);
    expect(violations).toEqual([]);
  });
});
