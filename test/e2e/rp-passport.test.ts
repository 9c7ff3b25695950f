// A real relying party: an express app on passport with openid-client's passport Strategy
// (express-session keeps the login), configured as the README's "Connect your app" recipe says,
// driven by Chromium through sign-in, the claims reaching req.user, a refresh
// (openid-client's refreshTokenGrant), and logout of the app and then of Sesame.
import express from 'express';
import session from 'express-session';
import * as oidc from 'openid-client';
import { Strategy } from 'openid-client/passport';
import passport from 'passport';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, useChromium } from '../helpers/chromium.js';
import { PROVIDERS } from '../helpers/databases.js';
import { bodyWith, confirmSignOutAtSesame, listenAsClient, pageJson, signInAndAllow, useRpFixture } from '../helpers/real-rp.js';

const PERSON = { email: 'passport@example.com', password: 'passport and openid client', name: 'Perry Passport' };
const APP = 'Passport app';

interface SignedIn {
  profile: oidc.IDToken;
  id_token: string;
  access_token: string;
  refresh_token?: string;
}

/** The recipe's app. */
async function passportApp(issuer: string, appUrl: string, clientId: string, clientSecret: string) {
  // allowInsecureRequests: the test's issuer is http on localhost; a real one is https.
  const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
  const strategy = new Strategy({ config, scope: 'openid profile email', callbackURL: `${appUrl}/callback` }, (tokens, verified) => {
    // The ID token's claims: sub, name, email, email_verified.
    const profile = tokens.claims()!;
    verified(null, { profile, id_token: tokens.id_token!, access_token: tokens.access_token, refresh_token: tokens.refresh_token } satisfies SignedIn);
  });
  const pass = new passport.Passport();
  pass.use('sesame', strategy);
  pass.serializeUser((user, done) => done(null, user));
  pass.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  app.use(session({ secret: 'a long random string that signs the session cookie', resave: false, saveUninitialized: false, name: 'passport.sid' }));
  app.use(pass.session());
  app.get('/login', pass.authenticate('sesame'));
  app.get('/callback', pass.authenticate('sesame', { successRedirect: '/', failureRedirect: '/failed' }));
  app.get('/', (req, res) => {
    res.json({ user: (req.user as SignedIn | undefined)?.profile ?? null });
  });
  app.get('/refresh', async (req, res) => {
    const user = req.user as SignedIn;
    const tokens = await oidc.refreshTokenGrant(config, user.refresh_token!);
    const changed = tokens.access_token !== user.access_token;
    // Keep the new tokens in the session (Sesame may rotate the refresh token).
    await new Promise<void>((resolve, reject) =>
      req.login({ ...user, access_token: tokens.access_token, refresh_token: tokens.refresh_token ?? user.refresh_token }, (error) =>
        error ? reject(error as Error) : resolve(),
      ),
    );
    res.json({ changed, userinfo: await oidc.fetchUserInfo(config, tokens.access_token, user.profile.sub) });
  });
  app.get('/logout', (req, res, next) => {
    const idToken = (req.user as SignedIn).id_token;
    req.logout((error) => {
      if (error) return next(error);
      res.redirect(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${appUrl}/` }).href);
    });
  });
  return app;
}

const browser = useChromium();

describe.runIf(CHROMIUM_PATH).each(PROVIDERS)('passport with openid-client on %s', (provider) => {
  const rp = useRpFixture({
    browser,
    provider,
    person: PERSON,
    start: (sesame) =>
      listenAsClient(
        sesame,
        (url) => ({ client_name: APP, redirect_uris: [`${url}/callback`], post_logout_redirect_uris: [`${url}/`] }),
        (url, client) => passportApp(sesame.issuer, url, client.client_id, client.client_secret!),
      ),
    stop: (app) => app.close(),
  });

  it('signs in, gets the claims, refreshes and signs out of the app and of Sesame', async () => {
    const { app, page } = rp;
    await page.goto(`${app.url}/login`);
    await signInAndAllow(page, PERSON, APP, `${app.url}/`);
    const { user } = await pageJson(page);
    expect(user).toMatchObject({ name: PERSON.name, email: PERSON.email, sub: expect.any(String) });

    for (let i = 0; i < 2; i++) {
      await page.goto(`${app.url}/refresh`);
      expect(await pageJson(page)).toMatchObject({ changed: true, userinfo: { sub: user.sub, email: PERSON.email } });
    }

    await page.goto(`${app.url}/logout`);
    await confirmSignOutAtSesame(page, APP);
    await page.waitForURL(`${app.url}/`);
    expect(await pageJson(page)).toEqual({ user: null });

    await page.goto(`${app.url}/login`);
    expect(await bodyWith(page, 'Password')).toContain('Sign in');
  }, 90_000);
});
