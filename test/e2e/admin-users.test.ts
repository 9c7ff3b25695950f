// The console's user administration in real Chromium: an admin opens a person's page from the
// users list, sets their password and lifts their lockout, and the person then signs in with the
// new password; and a person without the admin role who reaches /admin uses "Use another account"
// to get a fresh sign-in page instead of being sent straight back by single sign-on.
// Screenshots go to test-results/screenshots/admin-users/.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'admin@example.com', password: 'the keys to the kingdom', name: 'Ada Admin' };
const PERSON = { email: 'locked.out@example.com', password: 'the password they forgot', name: 'Lou Locked' };
const NEW_PASSWORD = 'a fresh start for Lou';
const OUTSIDER = { email: 'outsider@example.com', password: 'not an admin at all', name: 'Olly Outsider' };

describe.runIf(CHROMIUM_PATH)('console user administration in Chromium', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  const shots = screenshotDir('admin-users');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  /** Opens /admin and signs in on Sesame's login page; returns the page the console answered with. */
  async function signInAtConsole(context: BrowserContext, who: { email: string; password: string }): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/admin`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin'));
    await page.waitForLoadState();
    return page;
  }

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create({ ...ADMIN, isAdmin: true, emailVerified: true });
    await sesame.container.accounts.create({ ...PERSON, emailVerified: true });
    await sesame.container.accounts.create(OUTSIDER);
  });
  afterAll(async () => sesame?.close());

  it("an admin sets a locked-out person's password and unlocks them; they sign in with it", async () => {
    // Five wrong passwords: the account is locked.
    for (let i = 0; i < 5; i++) await sesame.container.signInThrottle.failed(PERSON.email, `192.0.2.${i}`);
    expect(await sesame.container.signInThrottle.accountLockedFor(PERSON.email)).toBeGreaterThan(0);

    const adminContext = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    const page = await signInAtConsole(adminContext, ADMIN);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('link', { name: PERSON.email }).click();
    await expect(page.getByRole('heading', { name: PERSON.name }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#user-state').textContent()).toBe('locked');
    await shot(page, '01-user-page-locked');

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByText(`Set a new password for ${PERSON.email}.`).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByText(`Unlocked ${PERSON.email}`).isVisible()).resolves.toBe(true);
    expect(await page.locator('#user-state').textContent()).toBe('active');
    await shot(page, '02-user-page-unlocked');
    await adminContext.close();

    // The person, in their own browser, signs in with the new password (the console, not being an
    // admin, then names them on its refusal page: the sign-in itself succeeded).
    const personContext = await chromium().newContext();
    const signedIn = await signInAtConsole(personContext, { email: PERSON.email, password: NEW_PASSWORD });
    await expect(signedIn.getByRole('heading', { name: 'Not an administrator' }).isVisible()).resolves.toBe(true);
    await expect(signedIn.getByText(PERSON.email).isVisible()).resolves.toBe(true);
    await personContext.close();
    const logins = await sesame.container.audit.list({ action: 'login.succeeded' });
    const person = await sesame.container.accounts.findByEmail(PERSON.email);
    expect(logins.events.some((e) => e.target === `user:${person!.id}`)).toBe(true);
  });

  it('a non-admin at /admin uses "Use another account" and gets a fresh sign-in page', async () => {
    const context = await chromium().newContext();
    const page = await signInAtConsole(context, OUTSIDER);
    await expect(page.getByRole('heading', { name: 'Not an administrator' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    await shot(page, '03-not-an-admin');

    // Single sign-on alone would bring them straight back to the refusal.
    await page.goto(`${sesame.issuer}/admin`);
    await expect(page.getByRole('heading', { name: 'Not an administrator' }).isVisible()).resolves.toBe(true);

    await page.getByRole('link', { name: 'Use another account' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    await expect(page.getByLabel('Email').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    await shot(page, '04-fresh-sign-in');

    // And an administrator can sign in there, in the same browser.
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
    await expect(page.getByRole('heading', { name: 'Overview' }).isVisible()).resolves.toBe(true);
    await context.close();
  });
});
