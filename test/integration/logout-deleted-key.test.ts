// RP-initiated logout with an id_token_hint whose signing key is gone (deleted once its retention
// passed): the person still gets the confirmation page and, after confirming, is signed out and sent
// to the app's registered post_logout_redirect_uri. Key decisions run on a fake clock; sessions and
// tokens keep real time, so the sessions signed in before the two rotations are still alive.
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, POST_LOGOUT_URI, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ROTATION_INTERVAL_MS = 30 * 24 * 3600 * 1000; // KEY_ROTATION_INTERVAL's default, longer than the retention
const USER = { email: 'leona@example.com', password: 'logout proof password' };
const APP = 'Old Tokens App';

describe.each(PROVIDERS)('logout with a deleted key on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let clientId: string;
  let clock = new Date('2030-01-01T00:00:00Z');
  /** Signed-in browsers, each with an ID token signed by the key that gets deleted. */
  const people: { browser: TestBrowser; idToken: string }[] = [];
  let deletedKid: string;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, now: () => clock });
    await sesame.container.accounts.create(USER);
    const client = await sesame.container.clients.create({ client_name: APP, redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: [POST_LOGOUT_URI] });
    clientId = client.client_id;
    config = await discover(sesame.issuer, clientId, client.client_secret);
    for (let i = 0; i < 5; i++) {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(config);
      const tokens = await exchange(config, await signIn(browser, start, USER), start);
      people.push({ browser, idToken: tokens.id_token! });
    }
    deletedKid = decodeProtectedHeader(people[0]!.idToken).kid!;

    // Two scheduled rotations: the signing key retires, then is deleted once its retention is over.
    for (let rotation = 0; rotation < 2; rotation++) {
      clock = new Date(clock.getTime() + ROTATION_INTERVAL_MS);
      await sesame.container.keys.maintain();
      await sesame.syncKeys();
    }
    expect((await sesame.container.keys.list()).map((k) => k.kid)).not.toContain(deletedKid);
    const jwks = (await (await fetch(`${sesame.issuer}/jwks`)).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).not.toContain(deletedKid);
  });
  afterAll(async () => sesame?.close());

  const person = (i: number) => people[i]!;

  function expectConfirmationPage(page: Page): void {
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain(`Sign out of <span class="client">${APP}</span>?`);
    expect(page.html).toContain('/session/end/confirm');
  }

  /** Confirms, checks the redirect to the registered URI with the state, then that the browser is signed out. */
  async function confirmAndCheckSignedOut(browser: TestBrowser, confirm: Page, state: string): Promise<void> {
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith(POST_LOGOUT_URI), done.url).toBe(true);
    expect(new URL(done.url).searchParams.get('state')).toBe(state);
    const silent = await browser.request((await startAuthorization(config, { prompt: 'none' })).url.toString());
    expect(silent.url.startsWith(REDIRECT_URI), silent.url).toBe(true);
    expect(new URL(silent.url).searchParams.get('error')).toBe('login_required');
  }

  async function expectStillSignedIn(browser: TestBrowser): Promise<void> {
    const silent = await browser.request((await startAuthorization(config, { prompt: 'none' })).url.toString());
    expect(new URL(silent.url).searchParams.get('code'), silent.url).toBeTruthy();
  }

  const endSessionUrl = (params: Record<string, string>) => oidc.buildEndSessionUrl(config, params).toString();

  it('with client_id: the confirmation page, then the registered URI with the state, and the session is over', async () => {
    const { browser, idToken } = person(0);
    const url = endSessionUrl({ id_token_hint: idToken, client_id: clientId, post_logout_redirect_uri: POST_LOGOUT_URI, state: 's-0' });
    const confirm = await browser.request(url);
    expectConfirmationPage(confirm);
    await confirmAndCheckSignedOut(browser, confirm, 's-0');
  });

  it('with the hint alone: the client comes from its aud', async () => {
    const { browser, idToken } = person(1);
    const url = new URL(`${sesame.issuer}/session/end`);
    url.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_URI, state: 's-1' }).toString();
    const confirm = await browser.request(url.toString());
    expectConfirmationPage(confirm);
    await confirmAndCheckSignedOut(browser, confirm, 's-1');
  });

  it('by a form POST, as some RPs send it', async () => {
    const { browser, idToken } = person(2);
    const confirm = await browser.request(`${sesame.issuer}/session/end`, {
      form: { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_URI, state: 's-2' },
    });
    expectConfirmationPage(confirm);
    await confirmAndCheckSignedOut(browser, confirm, 's-2');
  });

  it('still refuses a post_logout_redirect_uri the client did not register, and the session stays', async () => {
    const { browser, idToken } = person(3);
    const elsewhere = 'https://attacker.example/landing';
    for (const params of [
      { id_token_hint: idToken, client_id: clientId, post_logout_redirect_uri: elsewhere },
      { id_token_hint: idToken, post_logout_redirect_uri: elsewhere },
    ] as Record<string, string>[]) {
      const url = new URL(`${sesame.issuer}/session/end`);
      url.search = new URLSearchParams(params).toString();
      const page = await browser.request(url.toString());
      expect(page.status).toBe(400);
      expect(page.url.startsWith(elsewhere)).toBe(false);
      expect(page.html).not.toContain('/session/end/confirm');
    }
    await expectStillSignedIn(browser);
  });

  it('records that the hint was ignored and why', async () => {
    const { events } = await sesame.container.audit.list({ action: 'logout.hint_ignored' });
    expect(events.length).toBeGreaterThanOrEqual(3);
    const sources = events.map((e) => e.details.client_id_from);
    expect(sources).toContain('client_id');
    expect(sources).toContain('id_token_hint aud');
    for (const event of events) {
      expect(event.actor).toBe('anonymous');
      expect(event.target).toBe(`client:${clientId}`);
      expect(event.details).toMatchObject({ kid: deletedKid, client_id: clientId });
      expect(String(event.details.reason)).toContain('no longer holds');
      expect(JSON.stringify(event)).not.toContain(person(0).idToken);
    }
  });

  it('leaves a hint the server can verify to the provider', async () => {
    const { browser } = person(4);
    const start = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(browser, start, USER), start);
    const before = (await sesame.container.audit.list({ action: 'logout.hint_ignored' })).events.length;
    const confirm = await browser.request(endSessionUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: 's-4' }));
    expectConfirmationPage(confirm);
    await confirmAndCheckSignedOut(browser, confirm, 's-4');
    expect((await sesame.container.audit.list({ action: 'logout.hint_ignored' })).events).toHaveLength(before);
  });
});
