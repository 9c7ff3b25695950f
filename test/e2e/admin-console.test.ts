// The admin console in real Chromium: an admin signs in to /admin through Sesame itself (no
// consent page: the console is first-party), registers a client in the browser, and that client
// (openid-client) signs a person in; then the admin disables that person, who can no longer sign
// in. Also: a non-admin gets the 403 page and a forged POST (no CSRF token) is refused.
// Screenshots go to test-results/screenshots/admin-console/.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { CHROMIUM_PATH, launchChromium, screenshotDir } from '../helpers/chromium.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'admin@example.com', password: 'the keys to the kingdom', name: 'Ada Admin' };
const PERSON = { email: 'person@example.com', password: 'an ordinary password', name: 'Pat Person' };
const OUTSIDER = { email: 'outsider@example.com', password: 'not an admin at all', name: 'Olly Outsider' };

describe.runIf(CHROMIUM_PATH)('admin console in Chromium', () => {
  let sesame: TestSesame;
  let browser: Browser;
  const shots = screenshotDir('admin-console');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  async function signInThroughSesame(context: BrowserContext, who: { email: string; password: string }): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/admin`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The console is first-party: straight back to it, no consent page on the way.
    await page.waitForURL((url) => url.pathname.startsWith('/admin'));
    await page.waitForLoadState();
    expect(await page.getByRole('button', { name: 'Allow' }).count()).toBe(0);
    return page;
  }

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create({ ...ADMIN, isAdmin: true, emailVerified: true });
    await sesame.container.accounts.create({ ...PERSON, emailVerified: true });
    await sesame.container.accounts.create(OUTSIDER);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sesame?.close();
  });

  it('an admin registers a client in the browser, and that client signs a user in', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await signInThroughSesame(context, ADMIN);
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expect(page.getByRole('heading', { name: 'Overview' }).isVisible()).resolves.toBe(true);
    await shot(page, '01-overview');

    await page.getByRole('link', { name: 'Register a client' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Console <App>');
    await page.getByLabel('Redirect URIs', { exact: true }).fill(REDIRECT_URI);
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('heading', { name: 'Client registered' }).isVisible()).resolves.toBe(true);
    await shot(page, '02-client-registered');
    const clientId = (await page.locator('#client-id').textContent())!.trim();
    const clientSecret = (await page.locator('#client-secret').textContent())!.trim();
    expect(clientId).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // The copy buttons appear once console.js runs (the CSP lets it: script-src 'self').
    await expect(page.getByRole('button', { name: 'Copy secret' }).isVisible()).resolves.toBe(true);

    // The registered client signs a person in with openid-client.
    const config = await discover(sesame.issuer, clientId, clientSecret);
    const start = await startAuthorization(config);
    const callback = await signIn(new TestBrowser(sesame.issuer), start, PERSON);
    const tokens = await exchange(config, callback, start);
    const person = await sesame.container.accounts.findByEmail(PERSON.email);
    expect(tokens.claims()?.sub).toBe(person!.id);
    expect(tokens.claims()?.aud).toBe(clientId);

    // The client's page shows it; the list finds it by name.
    await page.goto(`${sesame.issuer}/admin/clients?q=console%20%3Capp`);
    await expect(page.getByRole('link', { name: 'Console <App>' }).isVisible()).resolves.toBe(true);

    // Disabling the person in the console: they can no longer sign in.
    await page.goto(`${sesame.issuer}/admin/users`);
    await page.getByRole('button', { name: `Disable ${PERSON.email}` }).click();
    await expect(page.getByText(`Disabled ${PERSON.email}`).isVisible()).resolves.toBe(true);
    await shot(page, '03-user-disabled');
    const again = new TestBrowser(sesame.issuer);
    const login = await again.request((await startAuthorization(config)).url.toString());
    const refused = await submitLogin(again, login, PERSON.email, PERSON.password);
    expect(refused.html).toContain('Incorrect email or password.');
    expect(refused.url.startsWith(REDIRECT_URI)).toBe(false);

    // Keys and the audit log have their pages.
    await page.goto(`${sesame.issuer}/admin/keys`);
    expect(await page.locator('.state-active').count()).toBe(1);
    expect(await page.locator('.state-next').count()).toBe(1);
    await shot(page, '04-keys');
    await page.goto(`${sesame.issuer}/admin/audit?action=client.created`);
    // The client by its name (its id on hover), not as client:<id>.
    await expect(page.getByRole('link', { name: 'Console <App>' }).first().isVisible()).resolves.toBe(true);
    expect(await page.getByRole('link', { name: 'Console <App>' }).first().getAttribute('title')).toBe(`client:${clientId}`);
    const audit = await sesame.container.audit.list({ action: 'user.disabled' });
    const admin = await sesame.container.accounts.findByEmail(ADMIN.email);
    expect(audit.events[0]).toMatchObject({ actor: `user:${admin!.id}`, target: `user:${person!.id}` });

    // A POST without the page's CSRF token is refused, even with the admin's cookies.
    const forged = await context.request.post(`${sesame.issuer}/admin/clients`, {
      form: { name: 'Forged', redirect_uris: REDIRECT_URI },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    await context.close();
  });

  it('a user without the admin role gets the 403 page', async () => {
    const context = await browser.newContext();
    const page = await signInThroughSesame(context, OUTSIDER);
    await expect(page.getByText('Your account is not an administrator').isVisible()).resolves.toBe(true);
    await shot(page, '05-not-an-admin');
    await context.close();
  });
});
