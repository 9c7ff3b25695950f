// A real relying party: an express app on Auth.js (@auth/express), configured as the README's
// "Connect your app" recipe says, driven by Chromium through sign-in on Auth.js's own sign-in
// page, the claims reaching session.user, refreshes in the jwt callback (Auth.js's documented
// pattern: it has no built-in refresh), and sign-out of the app and then of Sesame.
import { ExpressAuth, getSession, type ExpressAuthConfig } from '@auth/express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { bodyWith, confirmSignOutAtSesame, listenAsClient, pageJson, signInAndAllow, useRpFixture } from '../helpers/real-rp.js';

const PERSON = { email: 'authjs@example.com', password: 'auth dot js on express', name: 'Ava Authjs' };
const APP = 'Auth.js app';
/** The recipe refreshes a minute before expiry: with 65 s access tokens, 5 s after each was issued. */
const ACCESS_TOKEN_TTL_S = 65;
const REFRESH_MARGIN_S = 60;

/** The recipe's Auth.js configuration. */
function authConfig(issuer: string, clientId: string, clientSecret: string): ExpressAuthConfig {
  return {
    trustHost: true,
    secret: 'a long random string that encrypts the session cookie',
    providers: [
      {
        id: 'sesame',
        name: 'Sesame',
        type: 'oidc',
        issuer,
        clientId,
        clientSecret,
      },
    ],
    callbacks: {
      async jwt({ token, account }) {
        // First sign-in: keep the tokens in the (encrypted) session cookie.
        if (account) {
          return { ...token, access_token: account.access_token, refresh_token: account.refresh_token, expires_at: account.expires_at };
        }
        if (Date.now() < ((token.expires_at as number) - REFRESH_MARGIN_S) * 1000) return token;
        // Refresh a minute before the access token expires (the token endpoint is in discovery).
        const response = await fetch(`${issuer}/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token.refresh_token as string }),
        });
        const tokens = (await response.json()) as { access_token?: string; refresh_token?: string; expires_in?: number; error?: string };
        if (!response.ok || !tokens.access_token) return { ...token, error: tokens.error ?? 'RefreshFailed' };
        return {
          ...token,
          access_token: tokens.access_token,
          // Sesame may rotate the refresh token: keep the new one when there is one.
          refresh_token: tokens.refresh_token ?? token.refresh_token,
          expires_at: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 0),
          error: undefined,
        };
      },
      async session({ session, token }) {
        return { ...session, accessToken: token.access_token, expiresAt: token.expires_at, error: token.error };
      },
    },
  };
}

function authjsApp(issuer: string, appUrl: string, clientId: string, clientSecret: string) {
  const config = authConfig(issuer, clientId, clientSecret);
  const app = express();
  app.set('trust proxy', true);
  app.use('/auth', ExpressAuth(config));
  app.get('/', async (req, res) => {
    res.json({ session: await getSession(req, config) });
  });
  // After Auth.js's sign-out: end the Sesame session too (RP-initiated logout).
  app.get('/signed-out', (_req, res) => {
    const logout = new URL(`${issuer}/session/end`);
    logout.search = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: `${appUrl}/` }).toString();
    res.redirect(logout.toString());
  });
  return app;
}

const browser = useChromium();

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('Auth.js on %s', (provider) => {
  const rp = useRpFixture({
    browser,
    provider,
    env: { ACCESS_TOKEN_TTL: `${ACCESS_TOKEN_TTL_S}s` },
    person: PERSON,
    start: (sesame) =>
      listenAsClient(
        sesame,
        (url) => ({ client_name: APP, redirect_uris: [`${url}/auth/callback/sesame`], post_logout_redirect_uris: [`${url}/`] }),
        (url, client) => authjsApp(sesame.issuer, url, client.client_id, client.client_secret!),
      ),
    stop: (app) => app.close(),
  });

  const userinfo = async (accessToken: string) => {
    const response = await fetch(`${rp.sesame.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: response.status, body: response.ok ? await response.json() : await response.text() };
  };

  /** The session as the browser's own Auth.js endpoint returns it (which also saves a refreshed cookie). */
  const session = async () => {
    await rp.page.goto(`${rp.app.url}/auth/session`);
    return pageJson(rp.page);
  };

  const untilRefreshDue = async (expiresAt: number) => {
    const due = (expiresAt - REFRESH_MARGIN_S) * 1000 + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  };

  it('signs in, gets the claims, refreshes and signs out of the app and of Sesame', async () => {
    const { app, page } = rp;
    await page.goto(`${app.url}/auth/signin?callbackUrl=${encodeURIComponent(`${app.url}/`)}`);
    await page.getByRole('button', { name: 'Sign in with Sesame' }).click();
    await signInAndAllow(page, PERSON, APP, `${app.url}/`);
    expect((await pageJson(page)).session.user).toEqual({ name: PERSON.name, email: PERSON.email });

    const first = await session();
    expect(first).toMatchObject({ user: { name: PERSON.name, email: PERSON.email }, accessToken: expect.any(String) });
    expect(first.error).toBeUndefined();
    expect(await userinfo(first.accessToken)).toMatchObject({ status: 200, body: { email: PERSON.email } });

    // Refreshed in the jwt callback once due, and again with the refresh token the first left.
    await untilRefreshDue(first.expiresAt);
    const second = await session();
    expect(second.error).toBeUndefined();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(await userinfo(second.accessToken)).toMatchObject({ status: 200, body: { email: PERSON.email } });
    await untilRefreshDue(second.expiresAt);
    const third = await session();
    expect(third.error).toBeUndefined();
    expect(third.accessToken).not.toBe(second.accessToken);
    expect(await userinfo(third.accessToken)).toMatchObject({ status: 200 });

    // Auth.js's sign-out page, then Sesame's logout confirmation, then back at the app.
    await page.goto(`${app.url}/auth/signout?callbackUrl=${encodeURIComponent(`${app.url}/signed-out`)}`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await confirmSignOutAtSesame(page, APP);
    await page.waitForURL(`${app.url}/`);
    expect(await pageJson(page)).toEqual({ session: null });

    // Sesame's session is gone too: signing in again asks for the password.
    await page.goto(`${app.url}/auth/signin`);
    await page.getByRole('button', { name: 'Sign in with Sesame' }).click();
    expect(await bodyWith(page, 'Password')).toContain('Sign in');
  }, 90_000);
});
