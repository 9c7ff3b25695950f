// Front-Channel Logout 1.0 in real Chromium: two browser-only apps on two origins sign a person
// in (openid-client exchanges the codes), the person signs out from one of them, and Sesame's
// signed-out page loads each app's frontchannel_logout_uri in an iframe with iss and the sid of
// that app's ID token (the page's CSP lets exactly those origins be framed), then goes on to the
// app's post_logout_redirect_uri. Screenshots go to test-results/screenshots/frontchannel-logout/.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, screenshotDir, useChromium } from '../helpers/chromium.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'front@example.com', password: 'front channel for browser apps', name: 'Fran Front' };

/** A browser-only app: its callback, its front-channel logout page (which records what it was given) and its signed-out page. */
interface BrowserApp {
  name: string;
  origin: string;
  clientId: string;
  frontchannelHits: URLSearchParams[];
  server: Server;
}

async function startBrowserApp(sesame: TestSesame, name: string): Promise<BrowserApp> {
  const frontchannelHits: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === '/frontchannel-logout') frontchannelHits.push(url.searchParams);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>${name}</title><h1>${name}: ${url.pathname}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const client = await sesame.container.clients.create({
    client_name: name,
    token_endpoint_auth_method: 'none',
    redirect_uris: [`${origin}/callback`],
    post_logout_redirect_uris: [`${origin}/signed-out`],
    frontchannel_logout_uri: `${origin}/frontchannel-logout`,
  });
  return { name, origin, clientId: client.client_id, frontchannelHits, server };
}

const browser = useChromium();

describe.runIf(CHROMIUM_PATH)('front-channel logout in Chromium', () => {
  let sesame: TestSesame;
  let apps: BrowserApp[];

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
    apps = [await startBrowserApp(sesame, 'Notes'), await startBrowserApp(sesame, 'Photos')];
  });
  afterAll(async () => {
    for (const app of apps ?? []) await new Promise((resolve) => app.server.close(resolve));
    await sesame?.close();
  });

  it("loads each app's front-channel logout URI with iss and its ID token's sid, then returns to the app", async () => {
    const shots = screenshotDir('frontchannel-logout');
    const context = await browser().newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const idTokens: Record<string, { idToken: string; sid: unknown }> = {};

    for (const [i, app] of apps.entries()) {
      const config = await oidc.discovery(new URL(sesame.issuer), app.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${app.origin}/callback`,
        scope: 'openid profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      await page.goto(url.href);
      if (i === 0) {
        await page.getByLabel('Email').fill(USER.email);
        await page.getByLabel('Password').fill(USER.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      }
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${app.origin}/callback?**`);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
      idTokens[app.name] = { idToken: tokens.id_token!, sid: tokens.claims()?.sid };
      expect(idTokens[app.name]!.sid).toEqual(expect.any(String));
    }

    const [notes, photos] = apps as [BrowserApp, BrowserApp];
    const endSession = new URL(`${sesame.issuer}/session/end`);
    endSession.search = new URLSearchParams({
      id_token_hint: idTokens[notes.name]!.idToken,
      post_logout_redirect_uri: `${notes.origin}/signed-out`,
      state: 'back-in-notes',
    }).toString();
    await page.goto(endSession.href);
    await page.getByRole('heading', { name: /Sign out of Notes/ }).waitFor();
    await page.screenshot({ path: join(shots, '01-confirm.png') });

    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused/.test(message.text())) refused.push(message.text());
    });
    const signedOutPage = page.waitForResponse((response) => response.url() === `${sesame.issuer}/session/end/confirm`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const response = await signedOutPage;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).toContain(`frame-src ${notes.origin} ${photos.origin}`);
    await page.waitForURL(`${notes.origin}/signed-out?state=back-in-notes`);
    await page.screenshot({ path: join(shots, '02-back-in-the-app.png') });

    for (const app of apps) {
      expect(app.frontchannelHits.map((hit) => Object.fromEntries(hit))).toEqual([{ iss: sesame.issuer, sid: idTokens[app.name]!.sid }]);
    }
    expect(refused).toEqual([]);
    await context.close();
  });

  it('without JavaScript, the page still frames the apps and its Continue link leads on', async () => {
    const context = await browser().newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const app = apps[1]!;
    const before = app.frontchannelHits.length;
    const config = await oidc.discovery(new URL(sesame.issuer), app.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${app.origin}/callback`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${app.origin}/callback?**`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier });

    await page.goto(
      `${sesame.issuer}/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${app.origin}/signed-out` })}`,
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await page.waitForLoadState('load');
    await page.screenshot({ path: join(screenshotDir('frontchannel-logout'), '03-signed-out-without-javascript.png') });
    expect(app.frontchannelHits.slice(before).map((hit) => hit.get('sid'))).toEqual([tokens.claims()?.sid]);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL(`${app.origin}/signed-out`);
    await context.close();
  });
});
