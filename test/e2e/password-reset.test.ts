// Forgot password and invitations as a person sees them, in real Chromium, with the mails read
// from an SMTP server in the test process: "Forgot password?" on the sign-in page, the mail's link,
// a new password, and signing in with it back at the app; an invitation from the CLI's service
// accepted and used to sign in; and an admin in the console sending a reset link and an
// invitation. Screenshots go to test-results/screenshots/password-reset/.
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../helpers/mailbox.js';
import { allowAtSesame, bodyWith, listen, newPage, pageJson, signInAtSesame, type Listening } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const APP = 'Reset journey app';
const OLD_PASSWORD = 'correct horse battery 42';
const NEW_PASSWORD = 'purple elephant rides 77';

/** The smallest app: /login starts a sign-in (openid-client, PKCE), /callback shows the ID token's claims. */
async function startApp(sesame: TestSesame): Promise<Listening> {
  const app = await listen(() => undefined);
  const client = await sesame.container.clients.create({ client_name: APP, redirect_uris: [`${app.url}/callback`] });
  const config = await oidc.discovery(new URL(sesame.issuer), client.client_id, client.client_secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const pending = new Map<string, string>();
  app.server.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', app.url);
      if (url.pathname === '/login') {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        pending.set(state, verifier);
        const target = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${app.url}/callback`,
          scope: 'openid email profile',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        });
        res.writeHead(302, { location: target.toString() }).end();
        return;
      }
      const state = url.searchParams.get('state') ?? '';
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.get(state)!, expectedState: state });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens.claims()));
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  return app;
}

const linkIn = (mail: ReceivedMail, path: string) => {
  const link = mail.links.find((l) => l.includes(`${path}?token=`));
  if (!link) throw new Error(`no ${path} link in:\n${mail.text}`);
  return link;
};

/** On the page a mailed link opened: types the new password twice and sets it. */
async function choosePassword(page: Page, password: string): Promise<void> {
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
}

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('forgot password and invitations in Chromium on %s', (provider) => {
  const chromium = useChromium();
  const shots = screenshotDir('password-reset');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${provider}-${name}.png`), fullPage: true });
  let mailbox: Mailbox;
  let sesame: TestSesame;
  let app: Listening;

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ provider, env: { SMTP_URL: mailbox.url } });
    app = await startApp(sesame);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await sesame?.close();
    await mailbox?.close();
  });

  it('"Forgot password?" → the mail → a new password → back at the sign-in, which goes on to the app', async () => {
    const person = { email: 'forgetful@example.com', password: OLD_PASSWORD, name: 'Fay Forgetful' };
    await sesame.container.accounts.create(person);
    const page = await newPage(chromium());
    await page.goto(`${app.url}/login`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(person.email);
    await shot(page, '01-forgot-password');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    expect(await bodyWith(page, 'Check your email')).toContain('30 minutes');

    const mail = await mailbox.next(person.email, { since: 0 });
    const link = linkIn(mail, '/reset-password');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // The token left the address bar.
    expect(page.url()).not.toContain('token=');
    await shot(page, '02-choose-password');
    await choosePassword(page, NEW_PASSWORD);
    await bodyWith(page, 'Password changed');
    await shot(page, '03-password-changed');

    // "Sign in" goes back to the sign-in the person left; the new password works there.
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await signInAtSesame(page, { ...person, password: NEW_PASSWORD });
    await allowAtSesame(page, APP);
    await page.waitForURL(`${app.url}/callback**`);
    expect(await pageJson(page)).toMatchObject({ email: person.email, email_verified: true });

    // The link worked once.
    await page.goto(link);
    expect(await bodyWith(page, 'Link expired')).toContain('already used');
    await page.context().close();
  }, 90_000);

  it('an invitation → choose a password → sign in at the app', async () => {
    const email = 'newcomer@example.com';
    await sesame.container.invitations.invite({ email, name: 'Nia Newcomer' });
    const link = linkIn(await mailbox.next(email, { since: 0 }), '/invitation');
    const page = await newPage(chromium());
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await shot(page, '04-invitation');
    await choosePassword(page, NEW_PASSWORD);
    await bodyWith(page, 'Welcome to Sesame');

    await page.goto(`${app.url}/login`);
    await signInAtSesame(page, { email, password: NEW_PASSWORD, name: 'Nia Newcomer' });
    await allowAtSesame(page, APP);
    await page.waitForURL(`${app.url}/callback**`);
    expect(await pageJson(page)).toMatchObject({ email, email_verified: true, name: 'Nia Newcomer' });
    await page.context().close();
  }, 90_000);

  it('an admin invites from the users page and sends a reset link from a person’s page', async () => {
    const adminPerson = { email: 'boss@example.com', password: 'the keys to the kingdom 9', name: 'Bo Boss' };
    await sesame.container.accounts.create({ ...adminPerson, isAdmin: true, emailVerified: true });
    const page = await newPage(chromium());
    await page.goto(`${sesame.issuer}/admin`);
    await signInAtSesame(page, adminPerson);
    await page.waitForURL((url) => url.pathname.startsWith('/admin'));
    await page.goto(`${sesame.issuer}/admin/users`);
    await page.locator('#invite_email').fill('console-invited@example.com');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await bodyWith(page, 'Invited console-invited@example.com');
    expect(linkIn(await mailbox.next('console-invited@example.com', { since: 0 }), '/invitation')).toContain(sesame.issuer);

    await page.getByRole('link', { name: 'forgetful@example.com' }).click();
    await page.getByRole('button', { name: 'Send password reset link' }).click();
    await bodyWith(page, 'Sent a password reset link to forgetful@example.com');
    await shot(page, '05-console-reset-link');
    // The first mail was the person's own request; the console's send is awaited, so its mail is in.
    expect(mailbox.for('forgetful@example.com')).toHaveLength(2);
    await page.context().close();
  }, 90_000);
});
