// A real relying party: an express app on express-openid-connect (Auth0's middleware), configured
// as the README's "Connect your app" recipe says, driven by Chromium through sign-in, the claims
// reaching the app, a refresh, and RP-initiated logout.
import express from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { allowAtSesame, bodyWith, confirmSignOutAtSesame, listen, pageJson, signInAtSesame, STEP_TIMEOUT_MS, type Listening } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PERSON = { email: 'eoc@example.com', password: 'express openid connect', name: 'Edith Express' };
const APP = 'Express app';

/** The recipe's app: express-openid-connect in front, three pages of its own. */
function expressApp(issuer: string, baseURL: string, clientID: string, clientSecret: string) {
  const app = express();
  app.use(
    auth({
      issuerBaseURL: issuer,
      baseURL,
      clientID,
      clientSecret,
      secret: 'a long random string that encrypts the session cookie',
      authRequired: false,
      // Sign out of Sesame too (RP-initiated logout), not only of the app.
      idpLogout: true,
      authorizationParams: {
        // The library's default is `id_token` with form_post; Sesame does the code flow only.
        response_type: 'code',
      },
    }),
  );
  app.get('/', (req, res) => {
    res.json({ signedIn: req.oidc.isAuthenticated(), user: req.oidc.user ?? null });
  });
  app.get('/refresh', requiresAuth(), async (req, res) => {
    const before = req.oidc.accessToken!.access_token;
    const refreshed = await req.oidc.accessToken!.refresh();
    res.json({ changed: refreshed.access_token !== before, refreshToken: !!req.oidc.refreshToken, userinfo: await req.oidc.fetchUserInfo() });
  });
  return app;
}

let browser: Browser;
beforeAll(async () => {
  if (CHROMIUM_PATH) browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('express-openid-connect on %s', (provider) => {
  let sesame: TestSesame;
  let app: Listening;
  let page: Page;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(PERSON);
    app = await listen(() => undefined);
    const client = await sesame.container.clients.create({
      client_name: APP,
      redirect_uris: [`${app.url}/callback`],
      post_logout_redirect_uris: [app.url],
    });
    app.server.on('request', expressApp(sesame.issuer, app.url, client.client_id, client.client_secret!));
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
  }, 60_000);

  afterAll(async () => {
    await page?.context().close();
    await app?.close();
    await sesame?.close();
  });

  it('signs in, gets the claims, refreshes and signs out of the app and of Sesame', async () => {
    await page.goto(`${app.url}/login`);
    await signInAtSesame(page, PERSON);
    await allowAtSesame(page, APP);
    await page.waitForURL(`${app.url}/`);
    const home = await pageJson(page);
    expect(home.signedIn).toBe(true);
    // The ID token's claims: the library's default scope is openid profile email.
    expect(home.user).toMatchObject({ sub: expect.any(String), name: PERSON.name, email: PERSON.email });

    // A refresh token came without offline_access (bound to the Sesame session): the access token
    // is refreshed with it, and the new one works at userinfo.
    await page.goto(`${app.url}/refresh`);
    expect(await pageJson(page)).toMatchObject({ changed: true, refreshToken: true, userinfo: { sub: home.user.sub, email: PERSON.email } });
    // And again, with the refresh token the first refresh left in the session.
    await page.goto(`${app.url}/refresh`);
    expect(await pageJson(page)).toMatchObject({ changed: true, userinfo: { sub: home.user.sub } });

    // /logout ends the app's session and sends the browser to Sesame's end_session_endpoint.
    await page.goto(`${app.url}/logout`);
    await confirmSignOutAtSesame(page, APP);
    await page.waitForURL(`${app.url}/`);
    expect(await pageJson(page)).toEqual({ signedIn: false, user: null });

    // Sesame's session is gone too: signing in again asks for the password.
    await page.goto(`${app.url}/login`);
    expect(await bodyWith(page, 'Password')).toContain('Sign in');
  }, 90_000);
});
