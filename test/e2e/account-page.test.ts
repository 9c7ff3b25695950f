// The account page in real Chromium, on a phone-sized screen: a person opens /account, signs in
// on Sesame's login page and comes back; signs in on a second browser (another context) and signs
// that session out from the first; allows an app (openid-client, offline_access) and revokes it
// on the page, after which the app's refresh token fails; changes their password, which then
// signs them in. Screenshots go to test-results/screenshots/account-page/.
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PERSON = { email: 'kim@example.com', password: 'quiet river stones 7', name: 'Kim Park' };
const NEW_PASSWORD = 'copper kettle at dawn';

describe.runIf(CHROMIUM_PATH)('account page in Chromium', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  const shots = screenshotDir('account-page');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create({ ...PERSON, emailVerified: true });
  });
  afterAll(async () => sesame?.close());

  async function signIn(context: BrowserContext, password = PERSON.password): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/account`);
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${sesame.issuer}/account`);
    await expect(page.getByRole('heading', { name: 'Your account' }).isVisible()).resolves.toBe(true);
    return page;
  }

  it('signs in, signs out another session, revokes an app, changes the password', async () => {
    const phone = { viewport: { width: 390, height: 844 } };
    const here = await chromium().newContext(phone);
    const there = await chromium().newContext(phone);
    const page = await signIn(here);
    const other = await signIn(there);
    await page.reload();
    expect(await page.getByText('This device').count()).toBe(1);
    expect(await page.getByText('Another session').count()).toBe(1);
    // Readable on a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '01-account');

    // Sign out the other browser's session.
    await page.getByRole('button', { name: 'Sign out this session' }).click();
    await expect(page.getByText('The session is signed out.').isVisible()).resolves.toBe(true);
    await other.goto(`${sesame.issuer}/account`);
    await expect(other.getByLabel('Password').isVisible()).resolves.toBe(true);

    // Allow an app in this browser (its callback is answered by the test), then revoke it here.
    const app = await sesame.container.clients.create({ client_name: 'Field Notes', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const start = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'consent' });
    await here.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app callback' }));
    const appPage = await here.newPage();
    await appPage.goto(start.url.toString());
    await appPage.getByRole('button', { name: 'Allow' }).click();
    await appPage.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(appPage.url()), {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    expect(tokens.refresh_token).toBeTruthy();
    await appPage.close();

    await page.goto(`${sesame.issuer}/account`);
    await expect(page.getByRole('region', { name: 'Connected apps' }).getByText('Field Notes').isVisible()).resolves.toBe(true);
    await shot(page, '02-connected-app');
    await page.getByRole('button', { name: 'Revoke: Field Notes' }).click();
    await expect(page.getByText('Field Notes is disconnected.').isVisible()).resolves.toBe(true);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // Change the password; this browser stays signed in.
    await page.getByLabel('Current password').fill(PERSON.password);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Your password is changed.').isVisible()).resolves.toBe(true);
    await shot(page, '03-password-changed');

    // The new password signs in on a fresh browser.
    const fresh = await chromium().newContext(phone);
    await signIn(fresh, NEW_PASSWORD);
    await Promise.all([here.close(), there.close(), fresh.close()]);
  });
});
