// A real relying party: Apache httpd with mod_auth_openidc (Debian's packages), configured as the
// README's "Connect your app" recipe says, driven by Chromium through sign-in, the claims reaching
// the protected page, a refresh (mod_auth_openidc's refresh hook), and logout; then the same
// module with its default of no PKCE, refused until an administrator turns the client's
// require_pkce off. Parallel refreshes: rp-mod-auth-openidc-parallel-refresh.test.ts.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MOD_AUTH_OPENIDC, parseEnvPage, startApache } from '../helpers/apache.js';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { allowAtSesame, bodyWith, confirmSignOutAtSesame, signInAndAllow, signInAtSesame, STEP_TIMEOUT_MS, useRpFixture } from '../helpers/real-rp.js';
import { modAuthOpenidcConfig } from './rp-mod-auth-openidc.config.js';

const PERSON = { email: 'apache@example.com', password: 'mod auth openidc', name: 'Ada Apache' };
const APP = 'Apache app';

const browser = useChromium(CHROMIUM_PATH && MOD_AUTH_OPENIDC);

/** What mod_auth_openidc handed the protected page. */
async function protectedEnv(page: Page): Promise<Record<string, string>> {
  return parseEnvPage(await page.locator('#env').innerText({ timeout: STEP_TIMEOUT_MS }));
}

describe.runIf(CHROMIUM_PATH && MOD_AUTH_OPENIDC).each(PROVIDERS)('Apache mod_auth_openidc on %s', (provider) => {
  const rp = useRpFixture({
    browser,
    provider,
    person: PERSON,
    start: (sesame) =>
      startApache({
        oidc: async (url) => {
          const client = await sesame.container.clients.create({
            client_name: APP,
            redirect_uris: [`${url}/protected/redirect_uri`],
            post_logout_redirect_uris: [`${url}/loggedout.html`],
          });
          return modAuthOpenidcConfig({ issuer: sesame.issuer, url, clientId: client.client_id, clientSecret: client.client_secret! });
        },
      }),
    stop: (apache) => apache.stop(),
  });

  const userinfo = async (accessToken: string) => {
    const response = await fetch(`${rp.sesame.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: response.status, body: response.ok ? await response.json() : await response.text() };
  };

  it('signs in, passes the claims to the app, refreshes and logs out of Apache and Sesame', async () => {
    const { sesame, app: apache, page } = rp;
    await page.goto(`${apache.url}/protected/env.shtml`);
    await signInAndAllow(page, PERSON, APP, `${apache.url}/protected/env.shtml`);
    const env = await protectedEnv(page);
    try {
      expect(env).toMatchObject({ OIDC_CLAIM_name: PERSON.name, OIDC_CLAIM_email: PERSON.email, OIDC_CLAIM_iss: sesame.issuer });
      expect(env.OIDC_CLAIM_sub).toEqual(expect.any(String));
      expect(await userinfo(env.OIDC_access_token!)).toMatchObject({ status: 200, body: { sub: env.OIDC_CLAIM_sub } });

      // The refresh hook: mod_auth_openidc refreshes the session's access token with its refresh token.
      const hook = new URL(`${apache.url}/protected/redirect_uri`);
      hook.search = new URLSearchParams({ refresh: `${apache.url}/protected/env.shtml`, access_token: env.OIDC_access_token! }).toString();
      await page.goto(hook.toString());
      await page.waitForURL(`${apache.url}/protected/env.shtml`);
      const refreshed = await protectedEnv(page);
      expect(refreshed.OIDC_access_token).toEqual(expect.any(String));
      expect(refreshed.OIDC_access_token).not.toBe(env.OIDC_access_token);
      expect(await userinfo(refreshed.OIDC_access_token!)).toMatchObject({ status: 200, body: { sub: env.OIDC_CLAIM_sub } });
    } catch (error) {
      console.error(apache.errorLog(), env);
      throw error;
    }

    // Logout: mod_auth_openidc ends its session and sends the browser to end_session_endpoint.
    const logout = new URL(`${apache.url}/protected/redirect_uri`);
    logout.searchParams.set('logout', `${apache.url}/loggedout.html`);
    await page.goto(logout.toString());
    await confirmSignOutAtSesame(page, APP);
    await page.waitForURL(`${apache.url}/loggedout.html`);
    expect(await bodyWith(page, 'signed out')).toContain('You are signed out of the Apache app');

    // Both sessions are gone: the protected page sends the browser to Sesame's login page again.
    await page.goto(`${apache.url}/protected/env.shtml`);
    expect(await bodyWith(page, 'Password')).toContain('Sign in');
  }, 90_000);

  it("without PKCE (the module's default): refused, naming require_pkce, until the client's require_pkce is off", async () => {
    const { sesame } = rp;
    let clientId!: string;
    const noPkce = await startApache({
      oidc: async (url) => {
        const client = await sesame.container.clients.create({ client_name: 'Apache without PKCE', redirect_uris: [`${url}/protected/redirect_uri`] });
        clientId = client.client_id;
        const recipe = modAuthOpenidcConfig({ issuer: sesame.issuer, url, clientId, clientSecret: client.client_secret! });
        return recipe
          .split('\n')
          .filter((line) => !line.startsWith('OIDCPKCEMethod '))
          .join('\n');
      },
    });
    const context = await browser().newContext();
    try {
      const fresh = await context.newPage();
      fresh.setDefaultTimeout(STEP_TIMEOUT_MS);
      // Sesame sends the error back to the module before any sign-in page. (mod_auth_openidc 2.4.12
      // then shows a misleading page of its own, about OIDCDefaultURL; Sesame's reason is in the URL.)
      await fresh.goto(`${noPkce.url}/protected/env.shtml`);
      await fresh.waitForURL((url) => url.pathname === '/protected/redirect_uri' && url.searchParams.has('error'));
      const refused = new URL(fresh.url()).searchParams;
      expect(refused.get('error')).toBe('invalid_request');
      expect(refused.get('error_description')).toMatch(/^PKCE is required for this client \(require_pkce\)/);

      await sesame.container.clients.update(clientId, { require_pkce: false });
      await fresh.goto(`${noPkce.url}/protected/env.shtml`);
      await signInAtSesame(fresh, PERSON);
      await allowAtSesame(fresh, 'Apache without PKCE');
      await fresh.waitForURL(`${noPkce.url}/protected/env.shtml`);
      expect(await protectedEnv(fresh)).toMatchObject({ OIDC_CLAIM_email: PERSON.email, OIDC_CLAIM_name: PERSON.name });
    } finally {
      await context.close();
      await noPkce.stop();
    }
  }, 90_000);
});
