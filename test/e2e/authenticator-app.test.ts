// An authenticator app in real Chromium, on a phone-sized screen, on each database: a person adds
// one on /account (reads the key the page prints, computes the code with `otpauth` as an app
// would, types it into "Authentication code", "Verify"), sees the recovery codes once, signs out,
// then signs in to an app with the password and a code ("Authentication code", "Verify") and lands
// at the app, whose ID token (verified by openid-client) says amr pwd+otp+mfa. Screenshots go to
// test-results/screenshots/authenticator-app/.
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { STEP_TIMEOUT_MS } from '../helpers/real-rp.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { awayFromStepBoundary, codeAt } from '../helpers/totp.js';

const PERSON = { email: 'noor@example.com', password: 'amber tide over slate 3', name: 'Noor Haddad' };

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('authenticator app in Chromium on %s', (provider) => {
  const chromium = useChromium();
  let sesame: TestSesame;
  const shots = screenshotDir('authenticator-app');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${provider}-${name}.png`), fullPage: true });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...PERSON, emailVerified: true });
  });
  afterAll(async () => sesame?.close());

  it('adds an app on /account, signs out, signs in to an app with the password and a code', async () => {
    const context = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/account`);
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${sesame.issuer}/account`);

    await page.getByRole('button', { name: 'Add authenticator app' }).click();
    await page.waitForURL(`${sesame.issuer}/account/authenticator`);
    await expect(page.locator('.qr svg').isVisible()).resolves.toBe(true);
    const key = (await page.locator('#totp-key').innerText()).replace(/\s+/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '01-add-app');

    await awayFromStepBoundary();
    await page.getByLabel('Authentication code').fill(codeAt(key, -1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('heading', { name: 'Your recovery codes' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#recovery-codes li').count()).toBe(10);
    await shot(page, '02-recovery-codes');
    await page.getByRole('link', { name: 'I have saved my recovery codes' }).click();
    await page.waitForURL(`${sesame.issuer}/account`);
    await expect(page.getByText('10 unused recovery codes are left.').isVisible()).resolves.toBe(true);

    // Sign out (the provider's confirmation page), then sign in to an app.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/session\/end/);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(page.getByText('You signed out of Sesame.').isVisible()).resolves.toBe(true);

    const app = await sesame.container.clients.create({ client_name: 'Tide Tables', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const start = await startAuthorization(config);
    await context.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Tide Tables</h1>' }));
    await page.goto(start.url.toString());
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByLabel('Authentication code').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: 'Use a recovery code' }).isVisible()).resolves.toBe(true);
    await shot(page, '03-second-step');
    await page.getByLabel('Authentication code').fill(codeAt(key, 0));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
    await expect(page.getByRole('heading', { name: 'Tide Tables' }).isVisible()).resolves.toBe(true);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    expect(tokens.claims()).toMatchObject({ email: PERSON.email, amr: ['pwd', 'otp', 'mfa'], acr: 'urn:sesame:acr:mfa' });
    await context.close();
  });
});
