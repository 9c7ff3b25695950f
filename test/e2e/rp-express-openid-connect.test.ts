// A real relying party: an express app on express-openid-connect (Auth0's middleware), configured
// as the README's "Connect your app" recipe says, driven by Chromium through sign-in, the claims
// reaching the app, a refresh, and RP-initiated logout.
import express from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { bodyWith, confirmSignOutAtSesame, listenAsClient, pageJson, signInAndAllow, useRpFixture } from '../helpers/real-rp.js';

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

const browser = useChromium();

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('express-openid-connect on %s', (provider) => {
  const rp = useRpFixture({
    browser,
    provider,
    person: PERSON,
    start: (sesame) =>
      listenAsClient(
        sesame,
        (url) => ({ client_name: APP, redirect_uris: [`${url}/callback`], post_logout_redirect_uris: [url] }),
        (url, client) => expressApp(sesame.issuer, url, client.client_id, client.client_secret!),
      ),
    stop: (app) => app.close(),
  });

  it('signs in, gets the claims, refreshes and signs out of the app and of Sesame', async () => {
    const { app, page } = rp;
    await page.goto(`${app.url}/login`);
    await signInAndAllow(page, PERSON, APP, `${app.url}/`);
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
