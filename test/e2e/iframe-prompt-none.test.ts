// Silent sign-in in an iframe (prompt=none) on an RP's page on another site, with each response
// mode a server-side RP may use: the redirect (query) and form_post, where Sesame answers with a
// page that posts the code to the RP. That page is the one page of Sesame's an iframe needs: it
// may be framed by the origin of the redirect URI it posts to, and by no other, while every other
// page keeps frame-ancestors 'none'.
//
// The session cookie goes to the iframe only on an https issuer (SameSite=None; Secure; a TLS proxy
// with a self-signed certificate here) and only in a browser that allows third-party cookies
// (a Chromium profile set so: see chromiumAllowingThirdPartyCookies).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumAllowingThirdPartyCookies, type ChromiumProfile } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startFormPostRp, type FormPostRp } from '../helpers/form-post-rp.js';
import { pageJson, signInAndAllow, STEP_TIMEOUT_MS } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';

const PERSON = { email: 'framed@example.com', password: 'signed in inside a frame', name: 'Fran Frame' };
const APP = 'Framing app';

/** What reached the RP's callback inside the iframe of its /frame page. */
async function frameResult(page: Page): Promise<{ claims?: Record<string, unknown>; error?: string }> {
  const result = page.locator('#result');
  await page.waitForFunction(() => (document.getElementById('result')?.textContent ?? '') !== '', undefined, { timeout: STEP_TIMEOUT_MS });
  return JSON.parse((await result.textContent())!) as { claims?: Record<string, unknown>; error?: string };
}

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('prompt=none in an iframe on another site, https issuer, on %s', (provider) => {
  let proxy: TlsProxy;
  let sesame: TestSesame;
  let rp: FormPostRp;
  let browser: ChromiumProfile;
  let page: Page;
  let issuer: string;
  let sub: unknown;

  beforeAll(async () => {
    proxy = await startTlsProxy();
    issuer = proxy.url;
    sesame = await startTestSesame({ provider, env: { ISSUER: issuer } });
    proxy.route(sesame.issuer);
    await sesame.container.accounts.create(PERSON);
    rp = await startFormPostRp();
    const client = await sesame.container.clients.create({ client_name: APP, redirect_uris: [rp.redirectUri] });
    await rp.configure({ issuer, clientId: client.client_id, clientSecret: client.client_secret!, fetch: proxy.fetch });
    browser = await chromiumAllowingThirdPartyCookies();
    page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);

    await page.goto(`${rp.url}/start?method=get`);
    await signInAndAllow(page, PERSON, APP, `${rp.redirectUri}**`);
    sub = (await pageJson<{ claims: { sub: string } }>(page)).claims.sub;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await sesame?.close();
    await proxy?.close();
  });

  it('signs in silently with the redirect (query) response mode', async () => {
    await page.goto(`${rp.url}/frame?method=get&prompt=none`);
    expect(await frameResult(page)).toMatchObject({ claims: { sub, email: PERSON.email } });
  });

  it('signs in silently with form_post: the page that posts the code may be framed by the redirect URI origin only', async () => {
    const answered = page.waitForResponse((response) => response.url().startsWith(`${issuer}/auth`) && response.request().method() === 'GET');
    await page.goto(`${rp.url}/frame?method=get&prompt=none&response_mode=form_post`);
    const response = await answered;
    expect(response.status()).toBe(200);
    const headers = response.headers();
    expect(headers['content-security-policy']).toContain(`frame-ancestors ${rp.url}`);
    expect(headers['content-security-policy']).not.toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBeUndefined();
    expect(await frameResult(page)).toMatchObject({ claims: { sub, email: PERSON.email } });

    // An error reaches the RP the same way: max_age=0 asks for a sign-in that prompt=none forbids.
    await page.goto(`${rp.url}/frame?method=get&prompt=none&response_mode=form_post&max_age=0`);
    expect(await frameResult(page)).toMatchObject({ error: 'login_required' });
  });

  it('keeps every other page unframeable: an error page, and the login page that prompt=login shows', async () => {
    const answered = page.waitForResponse((response) => response.url().startsWith(`${issuer}/interaction/`));
    await page.goto(`${rp.url}/frame?method=get&prompt=login`);
    const login = await answered;
    expect(login.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(login.headers()['x-frame-options']).toBe('DENY');

    // An unregistered redirect URI: the error page, never a form that posts to it.
    const error = await page.request.get(
      `${issuer}/auth?${new URLSearchParams({ client_id: 'unknown', redirect_uri: `${rp.url}/elsewhere`, response_type: 'code', response_mode: 'form_post', scope: 'openid', prompt: 'none' })}`,
    );
    expect(error.status()).toBe(400);
    expect(error.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(error.headers()['x-frame-options']).toBe('DENY');
  });
});
