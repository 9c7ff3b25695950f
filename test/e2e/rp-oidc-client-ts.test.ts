// A real relying party: a single-page app on oidc-client-ts, served from 127.0.0.1 while the issuer
// is on localhost (another site), a public client with PKCE, configured as the README's "Connect
// your app" recipe says, driven by Chromium through sign-in, the claims reaching the app, a call
// to userinfo from the page (CORS), refreshes with the refresh token, and sign-out.
//
// Silent renew without a refresh token (prompt=none in a hidden iframe, which needs an https
// issuer): rp-oidc-client-ts-silent-renew.test.ts.
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startSpa, userShown } from '../helpers/oidc-client-ts-spa.js';
import { bodyWith, confirmSignOutAtSesame, signInAndAllow, useRpFixture } from '../helpers/real-rp.js';

const PERSON = { email: 'spa@example.com', password: 'single page application', name: 'Sam Spa' };
const APP = 'SPA';

const browser = useChromium();

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('oidc-client-ts SPA on another site, on %s', (provider) => {
  const rp = useRpFixture({
    browser,
    provider,
    person: PERSON,
    start: async (sesame) => {
      const spa = await startSpa();
      const client = await sesame.container.clients.create({
        client_name: APP,
        token_endpoint_auth_method: 'none',
        redirect_uris: [spa.redirectUri, spa.silentRedirectUri],
        post_logout_redirect_uris: [spa.postLogoutRedirectUri],
      });
      spa.configure({
        issuer: sesame.issuer,
        clientId: client.client_id,
        settings: {
          scope: 'openid profile email',
        },
      });
      return spa;
    },
    stop: (spa) => spa.close(),
  });

  it('signs in from another site, gets the claims, calls userinfo, refreshes and signs out', async () => {
    const { sesame, app: spa, page } = rp;
    expect(new URL(spa.url).hostname).not.toBe(new URL(sesame.issuer).hostname);
    await page.goto(`${spa.url}/`);
    expect(await userShown(page)).toBeNull();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signInAndAllow(page, PERSON, APP, `${spa.url}/`);
    const user = await userShown(page, 'null');
    expect(user.profile).toMatchObject({ name: PERSON.name, email: PERSON.email, iss: sesame.issuer });
    expect(user.has_refresh_token).toBe(true);

    // The page calls userinfo itself: a cross-origin request Sesame allows for the client's origin.
    await page.getByRole('button', { name: 'Call userinfo' }).click();
    await page.locator('#api').filter({ hasText: 'status' }).waitFor();
    expect(JSON.parse((await page.locator('#api').textContent())!)).toMatchObject({ status: 200, body: { sub: user.profile.sub, email: PERSON.email } });

    // Refresh (signinSilent with the refresh token, a cross-origin POST to /token), twice.
    let previous = (await page.locator('#user').textContent())!;
    let accessToken = user.access_token;
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const refreshed = await userShown(page, previous);
      expect(refreshed.access_token).not.toBe(accessToken);
      accessToken = refreshed.access_token;
      expect(refreshed.profile).toMatchObject({ sub: user.profile.sub, name: PERSON.name });
      expect(refreshed.has_refresh_token).toBe(true);
      previous = (await page.locator('#user').textContent())!;
    }

    // Sign out: Sesame's confirmation, then the SPA's post-logout page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await confirmSignOutAtSesame(page, APP);
    await page.waitForURL(`${spa.url}/signed-out.html`);
    expect(await bodyWith(page, 'signed out')).toContain('You are signed out of the SPA');

    // Sesame's session is gone: signing in again asks for the password.
    await page.goto(`${spa.url}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    expect(await bodyWith(page, 'Password')).toContain('Sign in');
  }, 90_000);
});
