// A real relying party's silent renew without a refresh token: oidc-client-ts's signinSilent()
// loads /auth?prompt=none in a hidden iframe. The SPA is on 127.0.0.1 and the issuer on
// localhost, another site, so the iframe is a third-party context: Chromium sends Sesame's session
// cookie there only because it is SameSite=None; Secure, which it is on an https issuer (here a TLS
// proxy with a self-signed certificate in front of Sesame). With SameSite=Lax (what an http
// issuer gets) the iframe's request carries no session and the SPA gets login_required.
//
// Third-party cookies: Chromium here blocks them by default (in Playwright's contexts and in a
// fresh profile the iframe's request goes out with Sec-Fetch-Storage-Access: none and no Cookie),
// as Safari and Firefox do; so this test runs Chromium on a profile that allows them (what a
// person gets from "Allow third-party cookies"). In a browser that blocks third-party cookies an
// SPA on another site renews with its refresh token instead (test/e2e/rp-oidc-client-ts.test.ts).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumAllowingThirdPartyCookies, type ChromiumProfile } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startSpa, userShown, type Spa } from '../helpers/oidc-client-ts-spa.js';
import { signInAndAllow, STEP_TIMEOUT_MS } from '../helpers/real-rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';

const PERSON = { email: 'silent@example.com', password: 'silent renew in an iframe', name: 'Sid Silent' };
const APP = 'SPA without refresh tokens';

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('oidc-client-ts silent renew in an iframe from another site, on %s', (provider) => {
  let proxy: TlsProxy;
  let sesame: TestSesame;
  let spa: Spa;
  let browser: ChromiumProfile;
  let page: Page;

  beforeAll(async () => {
    proxy = await startTlsProxy();
    sesame = await startTestSesame({ provider, env: { ISSUER: proxy.url } });
    // sesame.issuer is the instance's own http address here: the proxy's upstream.
    proxy.route(sesame.issuer);
    await sesame.container.accounts.create(PERSON);
    spa = await startSpa();
    const client = await sesame.container.clients.create({
      client_name: APP,
      token_endpoint_auth_method: 'none',
      // No refresh_token grant: signinSilent() has no refresh token and must use the iframe.
      grant_types: ['authorization_code'],
      redirect_uris: [spa.redirectUri, spa.silentRedirectUri],
      post_logout_redirect_uris: [spa.postLogoutRedirectUri],
    });
    spa.configure({ issuer: proxy.url, clientId: client.client_id, settings: { scope: 'openid profile email', loadUserInfo: true } });
    browser = await chromiumAllowingThirdPartyCookies();
    page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await spa?.close();
    await sesame?.close();
    await proxy?.close();
  });

  it('renews the tokens with prompt=none in a hidden iframe', async () => {
    await page.goto(`${spa.url}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signInAndAllow(page, PERSON, APP, `${spa.url}/`);
    const user = await userShown(page, 'null');
    expect(user.has_refresh_token).toBe(false);

    await page.getByRole('button', { name: 'Refresh' }).click();
    const renewed = await userShown(page, (await page.locator('#user').textContent())!);
    expect(renewed.access_token).not.toBe(user.access_token);
    expect(renewed.profile).toMatchObject({ sub: user.profile.sub, email: PERSON.email });
  }, 90_000);
});
