// Apache mod_auth_openidc as the README recipe configures it (OIDCRefreshAccessTokenBeforeExpiry
// 60), with access tokens that live 65 s: five seconds after each refresh every request refreshes.
// A page that loads six things at once then makes six refreshes with the same refresh token. A
// confidential client's refresh token does not rotate and its reuse never revokes the grant, so
// all six succeed and the session keeps working (before that, five got invalid_grant, Sesame
// revoked the grant as a replayed refresh token, and the Apache session was left holding dead
// tokens).
import { describe, expect, it } from 'vitest';
import { MOD_AUTH_OPENIDC, parseEnvPage, startApache } from '../helpers/apache.js';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { signInAndAllow, useRpFixture } from '../helpers/real-rp.js';
import { modAuthOpenidcConfig } from './rp-mod-auth-openidc.config.js';

const PERSON = { email: 'parallel@example.com', password: 'six at once please', name: 'Pat Parallel' };
const APP = 'Apache app';
/** The recipe refreshes 60 s before expiry: with 65 s tokens, 5 s after each was issued. */
const ACCESS_TOKEN_TTL_S = 65;
const REFRESH_BEFORE_EXPIRY_S = 60;

const browser = useChromium(CHROMIUM_PATH && MOD_AUTH_OPENIDC);

describe.runIf(CHROMIUM_PATH && MOD_AUTH_OPENIDC).each(PROVIDERS)('mod_auth_openidc: parallel refreshes on %s', (provider) => {
  const rp = useRpFixture({
    browser,
    provider,
    env: { ACCESS_TOKEN_TTL: `${ACCESS_TOKEN_TTL_S}s` },
    person: PERSON,
    start: (sesame) =>
      startApache({
        oidc: async (url) => {
          const client = await sesame.container.clients.create({ client_name: APP, redirect_uris: [`${url}/protected/redirect_uri`] });
          return modAuthOpenidcConfig({ issuer: sesame.issuer, url, clientId: client.client_id, clientSecret: client.client_secret! });
        },
      }),
    stop: (apache) => apache.stop(),
  });

  const userinfoStatus = async (accessToken: string) => (await fetch(`${rp.sesame.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

  /** Waits until mod_auth_openidc will refresh the access token that expires at `expires` (epoch seconds). */
  const untilRefreshDue = async (expires: number) => {
    const due = (expires - REFRESH_BEFORE_EXPIRY_S) * 1000 + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  };

  /** Six requests for the protected page at once, as a page loading six resources: what each saw. */
  const sixAtOnce = (): Promise<{ status: number; text: string }[]> =>
    rp.page.evaluate(() =>
      Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          fetch(`/protected/env.shtml?parallel=${i}`, { redirect: 'manual' }).then(async (r) => ({ status: r.status, text: await r.text() })),
        ),
      ),
    );

  const envOf = (html: string) => parseEnvPage(/<pre id="env">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '');

  it('six requests that each refresh with the same refresh token leave a working session', async () => {
    const { sesame, app: apache, page } = rp;
    await page.goto(`${apache.url}/protected/env.shtml`);
    await signInAndAllow(page, PERSON, APP, `${apache.url}/protected/env.shtml`);
    const first = parseEnvPage(await page.locator('#env').innerText());
    expect(first.OIDC_access_token).toEqual(expect.any(String));

    await untilRefreshDue(Number(first.OIDC_access_token_expires));
    const answers = await sixAtOnce();
    try {
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      const tokens = new Set(answers.map((a) => envOf(a.text).OIDC_access_token));
      // Each request refreshed (none kept the first token), and every token it got works.
      expect(tokens.has(first.OIDC_access_token)).toBe(false);
      for (const token of tokens) expect(await userinfoStatus(token!)).toBe(200);

      // The session still holds a refresh token that works: the next refresh succeeds too.
      await page.reload();
      const after = parseEnvPage(await page.locator('#env').innerText());
      expect(await userinfoStatus(after.OIDC_access_token!)).toBe(200);
      await untilRefreshDue(Number(after.OIDC_access_token_expires));
      await page.reload();
      const later = parseEnvPage(await page.locator('#env').innerText());
      expect(later.OIDC_access_token).not.toBe(after.OIDC_access_token);
      expect(await userinfoStatus(later.OIDC_access_token!)).toBe(200);

      // And Sesame revoked nothing.
      const { events } = await sesame.container.audit.list({ limit: 100 });
      expect(events.filter((e) => e.action === 'grant.revoked')).toEqual([]);
    } catch (error) {
      console.error(apache.errorLog());
      throw error;
    }
  }, 90_000);
});
