// Passkeys in real Chromium with the DevTools protocol's virtual authenticator (a platform
// authenticator with resident keys and user verification): a person signs in with their password
// on /account, adds a passkey, signs out, then signs in to an app (openid-client) with "Sign in
// with a passkey" alone, and the app verifies the ID token's amr. Then: renaming and
// removing on the page, after which the passkey no longer signs in. Without JavaScript the sign-in
// page is the password form alone and the account page says passkeys need JavaScript. On SQLite and
// PostgreSQL; screenshots under test-results/screenshots/passkeys/.
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PERSON = { email: 'noor@example.com', password: 'lilac tram over harbour', name: 'Noor Haddad' };

/** A virtual platform authenticator on the page: discoverable credentials, user verification that succeeds. */
async function addVirtualAuthenticator(page: Page): Promise<{ credentials(): Promise<{ signCount: number; isResidentCredential: boolean }[]> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('passkeys in Chromium on %s', (provider) => {
  const chromium = useChromium();
  let sesame: TestSesame;
  const shots = screenshotDir(`passkeys-${provider}`);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...PERSON, emailVerified: true });
  });
  afterAll(async () => sesame?.close());

  async function signInToAccount(page: Page): Promise<void> {
    await page.goto(`${sesame.issuer}/account`);
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${sesame.issuer}/account`);
  }

  async function signOut(page: Page): Promise<void> {
    await page.goto(`${sesame.issuer}/account`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${sesame.issuer}/account`);
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
  }

  it('adds a passkey on /account, signs out, and signs in to an app with the passkey alone; the app verifies amr', async () => {
    const context: BrowserContext = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const authenticator = await addVirtualAuthenticator(page);
    await signInToAccount(page);

    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('You have no passkeys yet.').waitFor();
    await expect(section.getByText('Adding a passkey needs JavaScript').isVisible()).resolves.toBe(false);
    await section.getByLabel('Passkey name').fill('Work laptop');
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey Work laptop added.').waitFor();
    await section.getByText('Work laptop', { exact: true }).waitFor();
    const [credential] = await authenticator.credentials();
    expect(credential?.isResidentCredential).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '01-passkey-added');

    await signOut(page);

    // An app's sign-in: no email, no password, only the passkey.
    const app = await sesame.container.clients.create({ client_name: 'Tide Tables', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const start = await startAuthorization(config, { scope: 'openid email' });
    await context.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app callback' }));
    await page.goto(start.url.toString());
    const passkeyButton = page.getByRole('button', { name: 'Sign in with a passkey' });
    await passkeyButton.waitFor();
    await shot(page, '02-sign-in-page');
    await passkeyButton.click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.email).toBe(PERSON.email);
    expect(claims.amr).toEqual(['hwk', 'user', 'mfa']);
    expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThanOrEqual(1);

    const { events } = await sesame.container.audit.list({ action: 'login.succeeded' });
    expect(events.at(0)).toMatchObject({ details: { method: 'passkey', amr: ['hwk', 'user', 'mfa'], client_id: app.client_id } });

    // Last used is on the page now; rename it, then remove it.
    await page.goto(`${sesame.issuer}/account`);
    await section.getByText('Rename').first().click();
    await section.getByLabel('New name for Work laptop').fill('Old laptop');
    await section.getByRole('button', { name: 'Rename: Work laptop' }).click();
    await page.getByText('The passkey is now called Old laptop.').waitFor();
    await section.getByRole('button', { name: 'Remove: Old laptop' }).click();
    await page.getByText('Passkey Old laptop removed.').waitFor();
    await shot(page, '03-passkey-removed');

    // The authenticator still holds the credential, but Sesame refuses it now.
    await signOut(page);
    const again = await startAuthorization(config, { scope: 'openid email' });
    await page.goto(again.url.toString());
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('That passkey was not accepted.').waitFor();
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    const failed = await sesame.container.audit.list({ action: 'login.failed' });
    expect(failed.events.at(0)).toMatchObject({ details: { method: 'passkey', reason: 'unknown_credential' } });
    await shot(page, '04-passkey-refused');
    await context.close();
  });

  it('without JavaScript: the password form signs in, the account page says passkeys need JavaScript', async () => {
    const context = await chromium().newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/account`);
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).resolves.toBe(false);
    await signInToAccount(page);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('Adding a passkey needs JavaScript').waitFor();
    await expect(section.getByRole('button', { name: 'Add a passkey' }).isVisible()).resolves.toBe(false);
    await context.close();
  });
});
