// Refresh tokens without ceremony, as RPs ask for them: without offline_access, or with it but
// without prompt=consent (mod_auth_openidc, express-openid-connect, Auth.js, Authlib and
// oidc-client-ts all do one or the other). openid-client is the RP, on every database this run covers.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };

const oauthError = (error: unknown) => (error as { error?: string }).error;

describe.each(PROVIDERS)('refresh tokens and offline_access on %s', (provider) => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
  });
  afterAll(async () => sesame?.close());

  async function client(grants: ('authorization_code' | 'refresh_token')[] = ['authorization_code', 'refresh_token']) {
    const registered = await sesame.container.clients.create({
      client_name: 'Notes',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      grant_types: grants,
      scope: 'openid profile email offline_access',
    });
    return discover(sesame.issuer, registered.client_id, registered.client_secret);
  }

  /** Signs out of Sesame through RP-initiated logout, confirming on its page. */
  async function signOut(browser: TestBrowser, config: oidc.Configuration, idToken: string) {
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_URI });
    const done = await browser.submit(await browser.request(endSession.toString()), '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith(POST_LOGOUT_URI)).toBe(true);
  }

  it('gives a client registered for refresh tokens one without offline_access, bound to the session', async () => {
    const config = await client();
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid profile email' });
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ')).not.toContain('offline_access');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await oidc.fetchUserInfo(config, refreshed.access_token, oidc.skipSubjectCheck)).toMatchObject({ email: USER.email });

    // Signing out ends it with the session.
    await signOut(browser, config, tokens.id_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
  });

  it('gives none to a client not registered for refresh tokens', async () => {
    const config = await client(['authorization_code']);
    const start = await startAuthorization(config, { scope: 'openid offline_access' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, { ...USER }), start);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope?.split(' ')).not.toContain('offline_access');
  });

  it('grants offline_access once the person allowed it on the consent page, without prompt=consent, and does not ask again', async () => {
    const config = await client();
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid email offline_access' });
    const consent = await submitLogin(browser, await browser.request(start.url.toString()), USER.email, USER.password);
    // The consent page asks for it, in words.
    expect(consent.html).toContain('Stay signed in to the app when you are away');
    const callback = await browser.submit(consent, '/confirm');
    const tokens = await exchange(config, new URL(callback.url), start);
    expect(tokens.scope?.split(' ')).toContain('offline_access');
    expect(tokens.refresh_token).toBeTruthy();

    // The app asks again, still without prompt=consent: no consent page this time.
    const again = await startAuthorization(config, { scope: 'openid email offline_access' });
    const page = await browser.request(again.url.toString());
    expect(page.url.startsWith(REDIRECT_URI), page.html).toBe(true);
    expect((await exchange(config, new URL(page.url), again)).scope?.split(' ')).toContain('offline_access');
    // Nor silently (prompt=none), which gets what was granted.
    const silent = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'none' });
    const silentCallback = new URL((await browser.request(silent.url.toString())).url);
    expect(silentCallback.searchParams.get('error')).toBeNull();
    expect((await exchange(config, silentCallback, silent)).scope?.split(' ')).toContain('offline_access');

    // Its refresh token outlives the session.
    await signOut(browser, config, tokens.id_token!);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await oidc.fetchUserInfo(config, refreshed.access_token, oidc.skipSubjectCheck)).toMatchObject({ email: USER.email });
  });

  it('asks a person who consented before without offline_access once more, for offline_access alone', async () => {
    const config = await client();
    const browser = new TestBrowser(sesame.issuer);
    const first = await startAuthorization(config, { scope: 'openid email' });
    await exchange(config, await signIn(browser, first, USER), first);

    // Silent renewal with offline_access: no consent page to show, so the scope is left out, as before.
    const silent = await startAuthorization(config, { scope: 'openid email offline_access', prompt: 'none' });
    const silentCallback = new URL((await browser.request(silent.url.toString())).url);
    expect(silentCallback.searchParams.get('error')).toBeNull();
    const silentTokens = await exchange(config, silentCallback, silent);
    expect(silentTokens.scope?.split(' ')).not.toContain('offline_access');

    const second = await startAuthorization(config, { scope: 'openid email offline_access' });
    const consent = await browser.request(second.url.toString());
    expect(consent.html).toContain('Stay signed in to the app when you are away');
    expect(consent.html).not.toContain('Your email address');
  });
});
