// Session behaviour people expect, end to end against the real HTTP server: "Keep me signed in"
// (a persistent session cookie versus one that ends with the browser), prompt=login and max_age
// forcing a fresh sign-in on a live session, friendly pages for replayed or finished interactions,
// and a logout confirmation that names the app.
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { advanceClock, restoreClock } from '../helpers/clock.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization, type AuthorizationStart } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'grace@example.com', password: 'a long and correct password', name: 'Grace Hopper' };
const DAY = 24 * 60 * 60 * 1000;

/**
 * Every Set-Cookie line the server sends while `fn` runs, hop by hop (TestBrowser follows
 * redirects itself and keeps cookies without their Expires/Max-Age).
 */
async function recordSetCookies<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const response = await original(...args);
    lines.push(...response.headers.getSetCookie());
    return response;
  };
  try {
    return { result: await fn(), lines };
  } finally {
    globalThis.fetch = original;
  }
}

/** oidc-provider's session cookie and its companions (`.sig`, and `.legacy` if a version sets one), not clearings. */
function sessionCookies(lines: string[]): string[] {
  return lines.filter((line) => /^_session(\.legacy)?(\.sig)?=[^;]+/.test(line) && !/expires=Thu, 01 Jan 1970/i.test(line));
}

function expiresAt(line: string): number | undefined {
  const expires = /;\s*expires=([^;]+)/i.exec(line)?.[1];
  if (expires) return Date.parse(expires);
  const maxAge = /;\s*max-age=(\d+)/i.exec(line)?.[1];
  return maxAge ? Date.now() + Number(maxAge) * 1000 : undefined;
}

const isLoginPage = (page: Page) => page.status === 200 && page.html.includes('name="password"') && page.url.includes('/interaction/');

/** A friendly HTML error page: no stack trace, no raw JSON, no library internals. */
function expectFriendlyError(page: Page, status: number): void {
  expect(page.status).toBe(status);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.html).toMatch(/^<!doctype html>/);
  expect(page.html).toContain('Go back to the app and start again.');
  expect(page.html).not.toMatch(/\bat .+\.(js|ts):\d+/);
  expect(page.html).not.toMatch(/SessionNotFound|interaction session|"error"\s*:/);
  expect(page.url.startsWith(REDIRECT_URI)).toBe(false);
}

describe.each(PROVIDERS)('session behaviour on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    const client = await sesame.container.clients.create({
      client_name: 'Diary & Co',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
    });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => sesame?.close());
  afterEach(restoreClock);

  /** Login (with the extra form fields) and consent when asked, up to the RP's callback. */
  async function signInWith(browser: TestBrowser, start: AuthorizationStart, fields: Record<string, string> = {}): Promise<URL> {
    let page = await browser.request(start.url.toString());
    expect(isLoginPage(page)).toBe(true);
    page = await browser.submit(page, '/login', { email: USER.email, password: USER.password, ...fields });
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}\n${page.html}`).toBe(true);
    return new URL(page.url);
  }

  async function authTime(browser: TestBrowser, start: AuthorizationStart, callback?: URL): Promise<number> {
    const tokens = await exchange(config, callback ?? (await signIn(browser, start, USER)), start);
    const claims = tokens.claims()!;
    expect(typeof claims.auth_time).toBe('number');
    return claims.auth_time!;
  }

  describe('"Keep me signed in"', () => {
    it('unticked (the default): the session cookie has no Expires or Max-Age, so it ends with the browser', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config);
      const { result: callback, lines } = await recordSetCookies(() => signInWith(browser, start));
      const session = sessionCookies(lines);
      expect(session.some((line) => line.startsWith('_session='))).toBe(true);
      for (const line of session) {
        expect(line, line).not.toMatch(/;\s*(expires|max-age)=/i);
        expect(line.toLowerCase()).toContain('httponly');
      }
      await exchange(config, callback, start);

      // The session works while the browser runs, and stays a browser-session cookie when touched again.
      const again = await startAuthorization(config, { prompt: 'none' });
      const silent = await recordSetCookies(() => browser.request(again.url.toString()));
      expect(silent.result.url.startsWith(REDIRECT_URI)).toBe(true);
      expect(new URL(silent.result.url).searchParams.get('code')).toBeTruthy();
      const touched = sessionCookies(silent.lines);
      expect(touched.length).toBeGreaterThan(0);
      for (const line of touched) expect(line, line).not.toMatch(/;\s*(expires|max-age)=/i);
    });

    it('ticked: the session cookie (and its signature) persist until the session expires', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config);
      const { lines } = await recordSetCookies(() => signInWith(browser, start, { remember: 'yes' }));
      const session = sessionCookies(lines);
      expect(session.some((line) => line.startsWith('_session='))).toBe(true);
      expect(session.some((line) => line.startsWith('_session.sig='))).toBe(true);
      for (const line of session) {
        const expires = expiresAt(line);
        expect(expires, line).toBeDefined();
        // SESSION_TTL defaults to 14 days.
        expect(expires!).toBeGreaterThan(Date.now() + 13 * DAY);
        expect(expires!).toBeLessThan(Date.now() + 15 * DAY);
      }
    });

    it('stays ticked when the password was wrong, and the next attempt still persists the session', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config);
      const login = await browser.request(start.url.toString());
      const failed = await browser.submit(login, '/login', { email: USER.email, password: 'wrong', remember: 'yes' });
      expect(failed.status).toBe(401);
      expect(failed.html).toMatch(/<input[^>]*name="remember"[^>]*\schecked[\s>]/);

      const untickedFail = await browser.submit(failed, '/login', { email: USER.email, password: 'wrong' });
      expect(untickedFail.status).toBe(401);
      expect(untickedFail.html).not.toMatch(/<input[^>]*name="remember"[^>]*\schecked[\s>]/);

      const { result, lines } = await recordSetCookies(async () => {
        let page = await browser.submit(untickedFail, '/login', { email: USER.email, password: USER.password, remember: 'yes' });
        if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
        return page;
      });
      expect(result.url.startsWith(REDIRECT_URI)).toBe(true);
      const session = sessionCookies(lines);
      expect(session.length).toBeGreaterThan(0);
      for (const line of session) expect(expiresAt(line), line).toBeDefined();
    });
  });

  describe('forcing a fresh sign-in on a live session', () => {
    it('without prompt or max_age a live session signs straight in', async () => {
      const browser = new TestBrowser(sesame.issuer);
      await signInWith(browser, await startAuthorization(config));
      const page = await browser.request((await startAuthorization(config)).url.toString());
      expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
      expect(new URL(page.url).searchParams.get('code')).toBeTruthy();
    });

    it('prompt=login shows the login page again, prefilled with the account, and auth_time moves on', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const first = await startAuthorization(config, { max_age: '3600' });
      const before = await authTime(browser, first, await signInWith(browser, first));

      advanceClock(1000); // auth_time counts whole seconds
      const second = await startAuthorization(config, { prompt: 'login' });
      const login = await browser.request(second.url.toString());
      expect(isLoginPage(login)).toBe(true);
      expect(login.html).toMatch(new RegExp(`<input[^>]*name="email"[^>]*value="${USER.email}"`));
      expect(login.html).toMatch(/<input[^>]*name="password"[^>]*autofocus/);
      const callback = await browser.submit(login, '/login', { email: USER.email, password: USER.password });
      expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);
      const after = await authTime(browser, second, new URL(callback.url));
      expect(after).toBeGreaterThan(before);
    });

    it('max_age=0 shows the login page again and auth_time moves on', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const first = await startAuthorization(config, { max_age: '3600' });
      const before = await authTime(browser, first, await signInWith(browser, first));

      advanceClock(1000);
      const second = await startAuthorization(config, { max_age: '0' });
      const callback = await signInWith(browser, second);
      expect(await authTime(browser, second, callback)).toBeGreaterThan(before);
    });

    it('max_age=N signs straight in while the sign-in is recent, and asks again once it is older', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const first = await startAuthorization(config, { max_age: '3600' });
      const before = await authTime(browser, first, await signInWith(browser, first));

      const recent = await startAuthorization(config, { max_age: '3600' });
      const straight = await browser.request(recent.url.toString());
      expect(straight.url.startsWith(REDIRECT_URI)).toBe(true);
      expect(await authTime(browser, recent, new URL(straight.url))).toBe(before);

      advanceClock(2000); // more than max_age=1 after the sign-in, however its second was rounded
      const old = await startAuthorization(config, { max_age: '1' });
      const callback = await signInWith(browser, old);
      expect(await authTime(browser, old, callback)).toBeGreaterThan(before);
    });
  });

  describe('replayed and finished interactions', () => {
    it('re-submitting a finished login form, or opening its page, shows a friendly 400 page', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config, { prompt: 'consent' });
      const login = await browser.request(start.url.toString());
      expect(isLoginPage(login)).toBe(true);
      const consent = await browser.submit(login, '/login', { email: USER.email, password: USER.password });
      expect(consent.html).toContain('/confirm');

      // The login step is done and the provider has moved on to consent.
      const replayedLogin = await browser.submit(login, '/login', { email: USER.email, password: USER.password });
      expectFriendlyError(replayedLogin, 400);
      expect(replayedLogin.html).toContain('already been used');
      expectFriendlyError(await browser.request(login.url), 400);

      // The consent page still works, and once the whole sign-in is done its forms are dead too.
      const callback = await browser.submit(consent, '/confirm');
      expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);
      expectFriendlyError(await browser.submit(consent, '/confirm'), 400);
      expectFriendlyError(await browser.submit(consent, '/abort'), 400);
      expectFriendlyError(await browser.submit(login, '/login', { email: USER.email, password: USER.password }), 400);
      expectFriendlyError(await browser.request(consent.url), 400);

      // Nothing of that disturbed the sign-in that did finish.
      await exchange(config, new URL(callback.url), start);
    });

    it('a finished login form replayed with the original interaction cookie (as a real browser keeps it) gets the same page', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config);
      const login = await browser.request(start.url.toString());
      // TestBrowser keeps one cookie per name; a browser keeps this one for its /interaction/<uid> path.
      const cookie = [...browser.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
      const action = new URL(/action="([^"]*\/login)"/.exec(login.html)![1]!, login.url);
      const csrf = /name="csrf" value="([^"]*)"/.exec(login.html)![1]!;
      let page = await browser.submit(login, '/login', { email: USER.email, password: USER.password });
      if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
      expect(page.url.startsWith(REDIRECT_URI)).toBe(true);

      const replay = await fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, email: USER.email, password: USER.password }),
      });
      expectFriendlyError({ url: action.toString(), status: replay.status, headers: replay.headers, html: await replay.text() }, 400);
      const reopened = await fetch(login.url, { redirect: 'manual', headers: { cookie } });
      expectFriendlyError({ url: login.url, status: reopened.status, headers: reopened.headers, html: await reopened.text() }, 400);
    });

    it('a double-submitted login form goes on with the first result instead of failing or signing in again', async () => {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config);
      const login = await browser.request(start.url.toString());
      const action = new URL(/action="([^"]*\/login)"/.exec(login.html)![1]!, login.url);
      const csrf = /name="csrf" value="([^"]*)"/.exec(login.html)![1]!;
      const cookie = [...browser.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
      const post = (password: string) =>
        fetch(action, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, email: USER.email, password }),
        });

      const firstClick = await post(USER.password);
      expect(firstClick.status).toBe(303);
      const returnTo = firstClick.headers.get('location')!;
      // Until the provider picks the result up, the finished step is not run again: a second
      // submission (even a different one) and the page itself send the browser on with the first result.
      const secondClick = await post('not the password');
      expect(secondClick.status).toBe(303);
      expect(secondClick.headers.get('location')).toBe(returnTo);
      const reopened = await fetch(login.url, { redirect: 'manual', headers: { cookie } });
      expect(reopened.status).toBe(303);
      expect(reopened.headers.get('location')).toBe(returnTo);

      let page = await browser.request(returnTo);
      if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
      expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
      await exchange(config, new URL(page.url), start);
    });
  });

  it('the logout confirmation names the app', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signInWith(browser, start), start);
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI });
    const confirm = await browser.request(endSession.toString());
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('Sign out of <span class="client">Diary &amp; Co</span>?');
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith(POST_LOGOUT_URI)).toBe(true);
  });
});
