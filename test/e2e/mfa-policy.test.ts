// MFA_POLICY=required-for-admins in real Chromium, on each database: an admin without a second
// factor signs in to the console for the first time, is asked to add an authenticator app inside
// the sign-in (the QR code and the key; the code computed with `otpauth` as an app would, typed
// into "Authentication code", "Verify"), sees the recovery codes once and lands in the console;
// the sign-in is audited with amr pwd+otp+mfa. Screenshots go to test-results/screenshots/mfa-policy/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { STEP_TIMEOUT_MS } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { awayFromStepBoundary, codeAt } from '../helpers/totp.js';

const ADMIN = { email: 'rowan@example.com', password: 'copper kettle drift 58', name: 'Rowan Ibarra' };

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('MFA_POLICY=required-for-admins in Chromium on %s', (provider) => {
  const chromium = useChromium();
  let sesame: TestSesame;
  const shots = screenshotDir('mfa-policy');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${provider}-${name}.png`), fullPage: true });

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { MFA_POLICY: 'required-for-admins' } });
    await sesame.container.accounts.create({ ...ADMIN, emailVerified: true, isAdmin: true });
  });
  afterAll(async () => sesame?.close());

  it("forces an admin's enrolment at the first sign-in to the console", async () => {
    const context = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/admin`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await expect(page.getByRole('heading', { name: 'Add authenticator app' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('needs a second factor').isVisible()).resolves.toBe(true);
    await expect(page.locator('.qr svg').isVisible()).resolves.toBe(true);
    const key = (await page.locator('#totp-key').innerText()).replace(/\s+/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await shot(page, '01-enrol');

    await awayFromStepBoundary();
    await page.getByLabel('Authentication code').fill(codeAt(key, 0));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('heading', { name: 'Your recovery codes' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#recovery-codes li').count()).toBe(10);
    await shot(page, '02-recovery-codes');
    await page.getByRole('link', { name: 'I have saved my recovery codes' }).click();
    await page.waitForURL((url) => url.origin === sesame.issuer && url.pathname.startsWith('/admin') && !url.pathname.startsWith('/admin/callback'));
    await shot(page, '03-console');

    const admin = (await sesame.container.accounts.findByEmail(ADMIN.email))!;
    expect(await sesame.container.secondFactors.required(admin.id)).toEqual(['totp', 'recovery_code']);
    const logins = await sesame.container.audit.list({ action: 'login.succeeded' });
    expect(logins.events.find((e) => e.target === `user:${admin.id}`)).toMatchObject({ details: { amr: ['pwd', 'otp', 'mfa'] } });
    await context.close();
  });
});
