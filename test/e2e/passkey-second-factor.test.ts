// A passkey as the second factor in real Chromium with the DevTools protocol's virtual
// authenticator: a person adds a passkey on /account, has an authenticator app too, signs out,
// then signs in to an app (openid-client) with their password and, on the second step, "Use a
// passkey" instead of a code; the app verifies amr ["pwd","hwk","user","mfa"] and acr "phrh". And a
// person whose only factor is a passkey, signing in to an app with require_mfa: the second step is
// the passkey (no code form), and without JavaScript the page says a passkey needs it.
// On SQLite and PostgreSQL; screenshots under test-results/screenshots/passkey-second-factor-*/.
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { awayFromStepBoundary, codeAt } from '../helpers/totp.js';

const PERSON = { email: 'ines@example.com', password: 'copper kite beyond 82', name: 'Ines Moreau' };

async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
}

/** Signs in on /account with the password, adds a passkey named `name`, and signs out again. */
async function addPasskeyOnAccount(page: Page, issuer: string, who: { email: string; password: string }, name: string): Promise<void> {
  await page.goto(`${issuer}/account`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${issuer}/account`);
  const section = page.getByRole('region', { name: 'Passkeys' });
  await section.getByLabel('Passkey name').fill(name);
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText(`Passkey ${name} added.`).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
}

/** Allows on the consent page, then the app redeems the code it was sent back with: the ID token's claims. */
async function allowAndRedeem(page: Page, config: oidc.Configuration, start: Awaited<ReturnType<typeof startAuthorization>>): Promise<oidc.IDToken> {
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
    pkceCodeVerifier: start.verifier,
    expectedState: start.state,
    expectedNonce: start.nonce,
  });
  return tokens.claims()!;
}

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('passkey as a second factor in Chromium on %s', (provider) => {
  const chromium = useChromium();
  let sesame: TestSesame;
  const shots = screenshotDir(`passkey-second-factor-${provider}`);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
  });
  afterAll(async () => sesame?.close());

  it('password, then "Use a passkey" on the second step; the app verifies amr and acr', async () => {
    const person = await sesame.container.accounts.create({ ...PERSON, emailVerified: true });
    const context = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await addVirtualAuthenticator(page);

    // A passkey added on /account (signed in with the password: no app yet).
    await addPasskeyOnAccount(page, sesame.issuer, PERSON, 'Laptop');

    // And an authenticator app, so that the password is followed by the second step.
    await awayFromStepBoundary();
    const enrolment = (await sesame.container.secondFactors.startEnrolment(person.id))!;
    await sesame.container.secondFactors.confirmEnrolment(person.id, codeAt(enrolment.secret, -1), { actor: `user:${person.id}` });

    const app = await sesame.container.clients.create({ client_name: 'Harbour Logs', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const start = await startAuthorization(config, { scope: 'openid email' });
    await context.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app callback' }));
    await page.goto(start.url.toString());
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByLabel('Authentication code').waitFor();
    await page.getByRole('link', { name: 'Use a recovery code' }).waitFor();
    const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    await usePasskey.waitFor();
    await shot(page, '01-second-step');
    await usePasskey.click();
    const claims = await allowAndRedeem(page, config, start);
    expect(claims.sub).toBe(person.id);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('phrh');
    await context.close();
  });

  it('a passkey as the only factor, for an app with require_mfa: password, then "Use a passkey" (no code form); without JavaScript the page says so and offers an app instead', async () => {
    const who = { email: 'noor@example.com', password: 'velvet harbour quill 51', name: 'Noor Haddad' };
    const person = await sesame.container.accounts.create({ ...who, emailVerified: true });
    const context = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await addVirtualAuthenticator(page);

    await addPasskeyOnAccount(page, sesame.issuer, who, 'Phone');

    const app = await sesame.container.clients.create({ client_name: 'Strongroom', redirect_uris: [REDIRECT_URI], require_mfa: true });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const signInTo = async (on: Page) => {
      const start = await startAuthorization(config, { scope: 'openid email' });
      await on.goto(start.url.toString());
      await on.getByLabel('Email').fill(who.email);
      await on.getByLabel('Password').fill(who.password);
      await on.getByRole('button', { name: 'Sign in', exact: true }).click();
      await on.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      return start;
    };

    // Without JavaScript: the line saying a passkey needs it, and the way on with an app.
    const noScript = await chromium().newContext({ javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await signInTo(plain);
    await plain.getByText('Using a passkey needs JavaScript.').waitFor();
    expect(await plain.getByRole('link', { name: 'Add an authenticator app instead' }).isVisible()).toBe(true);
    expect(await plain.getByRole('button', { name: 'Use a passkey' }).isVisible()).toBe(false);
    expect(await plain.getByLabel('Authentication code').count()).toBe(0);
    await shot(plain, '02-passkey-only-no-javascript');
    await noScript.close();

    await context.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'app callback' }));
    const start = await signInTo(page);
    const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    await usePasskey.waitFor();
    expect(await page.getByText('Using a passkey needs JavaScript.').isVisible()).toBe(false);
    expect(await page.getByLabel('Authentication code').count()).toBe(0);
    await shot(page, '03-passkey-only');
    await usePasskey.click();
    const claims = await allowAndRedeem(page, config, start);
    expect(claims.sub).toBe(person.id);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('phrh');
    await context.close();
  });
});
