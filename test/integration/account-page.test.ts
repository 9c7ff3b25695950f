// The account page (/account) over plain HTTP on each database: signing in from it, each change a
// person makes there (name, password, sessions, connected apps), the CSRF check on every form,
// the throttled current-password check, escaping, and ids of another person's sessions and
// grants refused. The browser journey is in test/e2e/account-page.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PASSWORD = 'plum orchard under snow';
const NEW_PASSWORD = 'lantern moss harbour 42';

/** Opens /account signed out, signs in on Sesame's login page and comes back to /account. */
async function signInToAccount(browser: TestBrowser, email: string, password: string): Promise<Page> {
  const login = await browser.request('/account');
  expect(login.html).toContain('name="password"');
  const page = await browser.submit(login, '/login', { email, password });
  expect(new URL(page.url).pathname).toBe('/account');
  expect(page.status).toBe(200);
  return page;
}

describe.each(PROVIDERS)('account page on %s', (provider) => {
  let sesame: TestSesame;
  let seq = 0;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { LOGIN_MAX_FAILURES: '3' } });
  });
  afterAll(async () => sesame?.close());

  async function person(name: string | undefined = 'Robin Example') {
    seq += 1;
    const email = `robin${seq}@example.com`;
    const user = await sesame.container.accounts.create({ email, password: PASSWORD, ...(name ? { name } : {}) });
    return { ...user, password: PASSWORD };
  }

  it('starts a sign-in without a session (first-party: no consent) and comes back to /account, with the page headers', async () => {
    const who = await person();
    const response = await fetch(`${sesame.issuer}/account`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.pathname).toBe('/auth');
    expect(location.searchParams.get('redirect_uri')).toBe(`${sesame.issuer}/account/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');

    // The sign-in page says where the person is going: their account, not the console's client.
    const signInPage = await new TestBrowser(sesame.issuer).request('/account');
    expect(signInPage.html).toContain('to continue to <strong>your Sesame account</strong>');
    expect(signInPage.html).not.toContain('Sesame console');

    const browser = new TestBrowser(sesame.issuer);
    const page = await signInToAccount(browser, who.email, who.password);
    expect(page.html).toContain('Your account');
    expect(page.html).toContain(who.email);
    expect(page.html).toContain('Not verified');
    expect(page.html).toContain('This device');
    expect(page.html).toContain('New email address');
    expect(page.html).toContain('Second factors');
    expect(page.html).toContain('action="/session/end"');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    // No inline script or style: only Sesame's own scripts (the passkey ceremony), which the CSP allows.
    expect(page.html).not.toMatch(/<script(?! src="\/assets\/)|style="/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    // A callback without its flow is refused, not followed.
    const stray = await new TestBrowser(sesame.issuer).request('/account/callback?code=x&state=y');
    expect(stray.status).toBe(400);
    // In German when the browser asks for it.
    const german = await fetch(`${sesame.issuer}/account?ui_locales=de`, { headers: { cookie: browser.cookieHeader(new URL(`${sesame.issuer}/account`)) } });
    expect(await german.text()).toContain('Ihr Konto');
  });

  it('changes the name (escaped when shown), refuses a form without its CSRF token, and records the change as the person', async () => {
    const who = await person('<script>alert(1)</script>');
    const browser = new TestBrowser(sesame.issuer);
    const page = await signInToAccount(browser, who.email, who.password);
    expect(page.html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page.html).not.toContain('<script>alert');

    const forged = await browser.request('/account/name', { form: { name: 'Forged', csrf: 'A'.repeat(43) } });
    expect(forged.status).toBe(403);
    const noToken = await browser.request('/account/name', { form: { name: 'Forged' } });
    expect(noToken.status).toBe(403);
    // From another site: refused before the token is looked at.
    const crossSite = await fetch(`${sesame.issuer}/account/name`, {
      method: 'POST',
      headers: {
        cookie: browser.cookieHeader(new URL(`${sesame.issuer}/account`)),
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
      },
      body: new URLSearchParams({ name: 'Forged', csrf: browser.form(page, '/account/name').fields.csrf! }),
    });
    expect(crossSite.status).toBe(403);
    expect((await sesame.container.accounts.get(who.id)).name).toBe('<script>alert(1)</script>');

    const saved = await browser.submit(page, '/account/name', { name: 'Robin "Bobbin" <b>' });
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('Your name is saved.');
    expect(saved.html).toContain('value="Robin &quot;Bobbin&quot; &lt;b&gt;"');
    expect((await sesame.container.accounts.get(who.id)).name).toBe('Robin "Bobbin" <b>');
    const bad = await browser.submit(saved, '/account/name', { name: 'x'.repeat(201) });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('This name cannot be saved');
    const events = await sesame.container.audit.list({ action: 'user.updated' });
    expect(events.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ actor: `user:${who.id}`, details: { changed: ['name'] } });

    // A signed-out browser's POST changes nothing and goes back to /account (and so to sign-in).
    const stranger = await new TestBrowser(sesame.issuer).request('/account/name', { form: { name: 'Stranger' } });
    expect(stranger.html).toContain('name="password"');
  });

  it('changes the password: current one required, the rule applied, other sessions end, this one stays', async () => {
    const who = await person('Robin Example');
    const here = new TestBrowser(sesame.issuer);
    const elsewhere = new TestBrowser(sesame.issuer);
    let page = await signInToAccount(here, who.email, who.password);
    await signInToAccount(elsewhere, who.email, who.password);

    const wrong = await here.submit(page, '/account/password', {
      current_password: 'not my password',
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('The current password is not correct.');
    const mismatch = await here.submit(page, '/account/password', {
      current_password: who.password,
      new_password: NEW_PASSWORD,
      confirm_password: `${NEW_PASSWORD}!`,
    });
    expect(mismatch.html).toContain('The new passwords do not match.');
    const cases: [string, string][] = [
      ['short pw', 'Password must be at least 10 characters.'],
      ['password123', 'This password is too common or easy to guess; choose another.'],
      ['Robin Example rocks', 'Password must not be or contain your email address or name.'],
    ];
    for (const [next, message] of cases) {
      const refused = await here.submit(page, '/account/password', { current_password: who.password, new_password: next, confirm_password: next });
      expect(refused.status).toBe(400);
      expect(refused.html).toContain(message);
    }

    page = await here.submit(page, '/account/password', { current_password: who.password, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Your password is changed.');
    expect(page.html).toContain('You have no other sessions.');
    // The other browser is signed out; this one is not.
    expect((await elsewhere.request('/account')).html).toContain('name="password"');
    expect((await here.request('/account')).html).toContain('Your account');
    expect(await sesame.container.accounts.authenticate(who.email, who.password)).toBeUndefined();
    expect(await sesame.container.accounts.authenticate(who.email, NEW_PASSWORD)).toMatchObject({ accountId: who.id });

    const changed = await sesame.container.audit.list({ action: 'user.password_changed' });
    expect(changed.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ actor: `user:${who.id}`, details: { revoked_sessions: 1 } });
    const failed = await sesame.container.audit.list({ action: 'user.password_change_failed' });
    expect(failed.events.filter((e) => e.target === `user:${who.id}`)).toHaveLength(1);
    expect(JSON.stringify([changed, failed])).not.toContain(NEW_PASSWORD);
  });

  it('throttles the current-password check like sign-in (LOGIN_MAX_FAILURES=3): 429 before any hash', async () => {
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    const page = await signInToAccount(browser, who.email, who.password);
    const attempt = (current: string) =>
      browser.submit(page, '/account/password', { current_password: current, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    for (let i = 0; i < 3; i++) expect((await attempt(`wrong guess ${i}`)).status).toBe(400);
    const locked = await attempt(who.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(locked.html).toContain('Too many attempts');
    expect(await sesame.container.accounts.authenticate(who.email, NEW_PASSWORD)).toBeUndefined();
    await sesame.container.accounts.unlock(who.id);
  });

  it('lists sessions, signs out one other session and then all others; ids of another person are refused', async () => {
    const who = await person();
    const other = await person();
    const here = new TestBrowser(sesame.issuer);
    const second = new TestBrowser(sesame.issuer);
    const third = new TestBrowser(sesame.issuer);
    const stranger = new TestBrowser(sesame.issuer);
    await signInToAccount(second, who.email, who.password);
    await signInToAccount(third, who.email, who.password);
    await signInToAccount(stranger, other.email, other.password);
    let page = await signInToAccount(here, who.email, who.password);
    expect(page.html.match(/Another session/g)).toHaveLength(2);
    expect(page.html.match(/This device/g)).toHaveLength(1);

    const { sessions } = await sesame.container.userSessions.list(who.id);
    const { sessions: strangers } = await sesame.container.userSessions.list(other.id);
    const refused = await here.submit(page, '/account/sessions/end', { session: strangers[0]!.uid });
    expect(refused.status).toBe(404);
    expect((await stranger.request('/account')).html).toContain('Your account');

    const secondUid = sessions[0]!.uid;
    page = await here.submit(page, '/account/sessions/end', { session: secondUid });
    expect(page.html).toContain('The session is signed out.');
    expect((await second.request('/account')).html).toContain('name="password"');
    expect((await third.request('/account')).html).toContain('Your account');

    page = await here.submit(page, '/account/sessions/others');
    expect(page.html).toContain('One other session is signed out.');
    expect((await third.request('/account')).html).toContain('name="password"');
    expect((await here.request('/account')).html).toContain('You have no other sessions.');
    const events = await sesame.container.audit.list({ action: 'session.revoked' });
    expect(events.events.filter((e) => e.target === `user:${who.id}`).map((e) => e.actor)).toEqual([`user:${who.id}`, `user:${who.id}`]);
  });

  it("lists connected apps with their scopes and revokes one (its refresh token then fails); another person's grant is refused", async () => {
    const who = await person();
    const other = await person();
    const app = await sesame.container.clients.create({ client_name: 'Notes <i>app</i>', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(browser, start, who), start);
    expect(tokens.refresh_token).toBeTruthy();
    const strangerBrowser = new TestBrowser(sesame.issuer);
    const strangerStart = await startAuthorization(config);
    await exchange(config, await signIn(strangerBrowser, strangerStart, other), strangerStart);

    let page = await browser.request('/account');
    expect(page.html).toContain('Notes &lt;i&gt;app&lt;/i&gt;');
    expect(page.html).toContain('Your email address');
    expect(page.html).toContain('Stay signed in when you are away');
    // Sesame's own first-party client is not a connected app.
    expect(page.html).not.toContain('Sesame console');

    const { grants: strangers } = await sesame.container.userSessions.list(other.id);
    const refused = await browser.submit(page, '/account/apps/revoke', { grant: strangers[0]!.grantId });
    expect(refused.status).toBe(404);

    page = await browser.submit(page, '/account/apps/revoke');
    expect(page.html).toContain('Notes &lt;i&gt;app&lt;/i&gt; is disconnected.');
    expect(page.html).toContain('No apps are connected.');
    await expect(import('openid-client').then((oidc) => oidc.refreshTokenGrant(config, tokens.refresh_token!))).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const events = await sesame.container.audit.list({ action: 'grant.revoked' });
    expect(events.events.find((e) => e.actor === `user:${who.id}`)).toMatchObject({ details: { client_id: app.client_id, route: '/account' } });
    expect((await sesame.container.userSessions.list(other.id)).grants).toHaveLength(1);
  });
});
