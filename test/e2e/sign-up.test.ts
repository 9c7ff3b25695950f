// Sign-up as a person does it, in real Chromium at phone size: an app's sign-in → "Create account"
// → Email, Name, Password → the mail (fetched from the SMTP server in the test process) → its link
// → "Confirm email address" → back to the sign-in the person started from → sign in → the app.
// Screenshots of every step go to test-results/screenshots/ (not committed).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApp, SCOPE } from '../../examples/demo-rp/app.js';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { startMailbox, type Mailbox } from '../helpers/mailbox.js';
import { STEP_TIMEOUT_MS } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PERSON = { email: 'newcomer@example.com', name: 'Nia Newcomer', password: 'correct horse battery 42' };

describe.runIf(CHROMIUM_PATH)('sign-up in Chromium', () => {
  const chromium = useChromium();
  let mailbox: Mailbox;
  let sesame: TestSesame;
  let app: { url: string; server: Server };
  let page: Page;
  let step = 0;
  const shots = screenshotDir('sign-up');
  const shot = async (name: string) => {
    step++;
    await page.screenshot({ path: join(shots, `${String(step).padStart(2, '0')}-${name}.png`) });
  };

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ env: { SMTP_URL: mailbox.url, SIGNUP: 'open' } });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://localhost:${(server.address() as AddressInfo).port}`;
    const client = await sesame.container.clients.create({
      client_name: 'Notes',
      redirect_uris: [`${url}/callback`],
      post_logout_redirect_uris: [`${url}/`],
      resources: [`${url}/api`],
      scope: SCOPE,
    });
    const demo = await createDemoApp({ name: 'Notes', baseUrl: url, issuer: sesame.issuer, clientId: client.client_id, clientSecret: client.client_secret! });
    server.on('request', demo.app.callback());
    app = { url, server };
    page = await (await chromium().newContext({ viewport: { width: 390, height: 760 } })).newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
  }, 120_000);

  afterAll(async () => {
    await page?.context().close();
    app?.server.close();
    await sesame?.close();
    await mailbox?.close();
  });

  it('creates an account from an app, verifies it by mail and arrives back at the app signed in', async () => {
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Create account' }).waitFor();
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Name').fill(PERSON.name);
    await page.getByLabel('Password').fill(PERSON.password);
    await shot('sign-up-form');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await shot('check-your-mail');

    const mail = await mailbox.next(PERSON.email, { since: 0 });
    const link = mail.links.find((l) => l.includes('/verify-email?token='));
    expect(link).toBeDefined();
    await page.goto(link!);
    await shot('confirm-email');
    await page.getByRole('button', { name: 'Confirm email address' }).click();
    await page.getByRole('heading', { name: 'Email address confirmed' }).waitFor();
    await shot('email-confirmed');

    await page.getByRole('link', { name: 'Continue to Notes' }).click();
    await page.getByLabel('Password').fill(PERSON.password);
    const email = page.getByLabel('Email');
    if ((await email.inputValue()) === '') await email.fill(PERSON.email);
    await shot('sign-in');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${app.url}/`);
    expect(await page.textContent('body')).toContain(`Signed in as ${PERSON.name}`);
    await shot('app-signed-in');
  });
});
