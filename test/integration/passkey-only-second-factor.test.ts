// A passkey as the only second factor (no authenticator app), over plain HTTP with a software
// authenticator (test/helpers/soft-authenticator.ts) on each database. When the sign-in needs MFA
// (MFA_POLICY=required, a client with require_mfa, a step-up with acr_values), the password is
// followed by "Use a passkey" rather than the authenticator app's enrolment: no code form, a line
// for browsers without JavaScript, and "Add an authenticator app instead" as the way on without
// it. An openid-client RP verifies amr and acr. Under MFA_POLICY=optional a plain client still gets
// no second step; a person with no factor at all still adds an app.
import type * as oidc from 'openid-client';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin, type AuthorizationStart } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { awayFromStepBoundary, codeAt, keyOnPage, recoveryCodesOnPage } from '../helpers/totp.js';

const PASSWORD = 'saffron lantern meadow 29';
const MFA_ACRS = ['urn:sesame:acr:mfa', 'phr', 'phrh'];

/** One Sesame under `policy`, with a plain client and one with require_mfa, and its people. */
function sesameWith(provider: (typeof PROVIDERS)[number], policy: 'required' | 'optional') {
  const state = {} as { sesame: TestSesame; plain: oidc.Configuration; strict: oidc.Configuration };
  let seq = 0;
  beforeAll(async () => {
    state.sesame = await startTestSesame({ provider, env: { MFA_POLICY: policy } });
    const plain = await state.sesame.container.clients.create({ client_name: 'Ledger', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'] });
    state.plain = await discover(state.sesame.issuer, plain.client_id, plain.client_secret);
    const strict = await state.sesame.container.clients.create({
      client_name: 'Vault',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      require_mfa: true,
    });
    state.strict = await discover(state.sesame.issuer, strict.client_id, strict.client_secret);
  });
  afterAll(async () => state.sesame?.close());

  /** A person with a password and, unless told otherwise, a passkey (and no authenticator app). */
  async function person({ passkey = true, synced = false } = {}) {
    seq += 1;
    const { sesame } = state;
    const user = await sesame.container.accounts.create({ email: `wren${seq}@example.com`, password: PASSWORD, name: 'Wyn Wren', emailVerified: true });
    let authenticator: SoftAuthenticator | undefined;
    if (passkey) {
      authenticator = new SoftAuthenticator(sesame.issuer, { synced });
      const { token, options } = await sesame.container.passkeys.startRegistration(user);
      await sesame.container.passkeys.finishRegistration(user, token, JSON.stringify(authenticator.register(options)), 'Laptop', { actor: `user:${user.id}` });
    }
    return { ...user, password: PASSWORD, authenticator };
  }
  return { state, person };
}

async function passwordStep(rp: oidc.Configuration, browser: TestBrowser, who: { email: string; password: string }, params: Record<string, string> = {}) {
  const start = await startAuthorization(rp, params);
  const page = await submitLogin(browser, await browser.request(start.url.toString()), who.email, who.password);
  return { start, page };
}

/** The options of the second step's passkey form, as the script would fetch them. */
async function passkeyOptions(browser: TestBrowser, page: Page) {
  const { action, fields } = browser.form(page, '/second-factor/passkey');
  const answer = await browser.request(`${action}/options`, { form: { csrf: fields.csrf! } });
  expect(answer.status, answer.html).toBe(200);
  return (JSON.parse(answer.html) as { options: PublicKeyCredentialRequestOptionsJSON }).options;
}

/** "Use a passkey" on `page` with the person's authenticator: the page the answer leads to. */
async function usePasskey(browser: TestBrowser, page: Page, authenticator: SoftAuthenticator) {
  const options = await passkeyOptions(browser, page);
  return browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(authenticator.authenticate(options)) });
}

async function finish(browser: TestBrowser, rp: oidc.Configuration, start: AuthorizationStart, page: Page) {
  if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
  expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}\n${page.html}`).toBe(true);
  return exchange(rp, new URL(page.url), start);
}

/** The href of the link with these words on `page`. */
function linkOf(page: Page, words: string): string {
  const link = [...page.html.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].find((m) => m[2] === words);
  if (!link) throw new Error(`no link "${words}" on ${page.url}:\n${page.html}`);
  return link[1]!.replace(/&amp;/g, '&');
}

/** The passkey-only second step: the passkey form, no code form, the no-JavaScript line and the fallback. */
function expectPasskeyStep(page: Page, client: string) {
  expect(page.status, page.html).toBe(200);
  expect(page.html).toContain('Two-step verification');
  expect(page.html).toContain(`Confirm it is you with your passkey to continue to <strong>${client}</strong>.`);
  expect(page.html).toContain('Use a passkey');
  expect(page.html).not.toContain('name="code"');
  expect(page.html).not.toContain('name="password"');
  expect(page.html).not.toContain('Scan this QR code');
  expect(page.html).toContain('Using a passkey needs JavaScript.');
  expect(page.html).toContain('Add an authenticator app instead');
  expect(page.html).toContain('/assets/passkeys.js');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
}

describe.each(PROVIDERS)('a passkey as the only second factor, MFA_POLICY=required, on %s', (provider) => {
  const { state, person } = sesameWith(provider, 'required');

  it('the password is followed by "Use a passkey" (not the enrolment); the RP gets amr pwd+hwk+user+mfa and acr phrh', async () => {
    const who = await person();
    const other = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const { start, page } = await passwordStep(state.plain, browser, who);
    expectPasskeyStep(page, 'Ledger');
    // Nothing is signed in, and no app enrolment was started.
    expect((await state.sesame.container.userSessions.list(who.id)).sessions).toHaveLength(0);
    expect((await state.sesame.container.secondFactors.status(who.id)).enrolling).toBe(false);

    const options = await passkeyOptions(browser, page);
    expect(options.allowCredentials!.map((c) => c.id)).toEqual([who.authenticator!.id]);
    expect(options.allowCredentials!.map((c) => c.id)).not.toContain(other.authenticator!.id);
    const signedIn = await browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(who.authenticator!.authenticate(options)) });
    const claims = (await finish(browser, state.plain, start, signedIn)).claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('phrh');
    expect(MFA_ACRS).toContain(claims.acr);
    const succeeded = await state.sesame.container.audit.list({ action: 'login.succeeded' });
    expect(succeeded.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ details: { amr: ['pwd', 'hwk', 'user', 'mfa'] } });
  });

  it('a synced passkey gives swk and phr, to a require_mfa client too', async () => {
    const who = await person({ synced: true });
    const browser = new TestBrowser(state.sesame.issuer);
    const { start, page } = await passwordStep(state.strict, browser, who);
    expectPasskeyStep(page, 'Vault');
    const claims = (await finish(browser, state.strict, start, await usePasskey(browser, page, who.authenticator!))).claims()!;
    expect(claims.amr).toEqual(['pwd', 'swk', 'user', 'mfa']);
    expect(claims.acr).toBe('phr');
  });

  it('a refused passkey shows the passkey step again with its own words (no code to enter)', async () => {
    const who = await person();
    const stranger = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const { start, page } = await passwordStep(state.plain, browser, who);
    const options = await passkeyOptions(browser, page);
    const refused = await browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(stranger.authenticator!.authenticate(options)) });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('That passkey was not accepted. Try again.');
    expect(refused.html).not.toContain('enter a code');
    expect(refused.html).not.toContain('name="code"');
    const claims = (await finish(browser, state.plain, start, await usePasskey(browser, refused, who.authenticator!))).claims()!;
    expect(claims.amr).toContain('mfa');
  });

  it('"Add an authenticator app instead" leads to the enrolment (with the way back to the passkey); the app then signs in with amr pwd+otp+mfa', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const { start, page } = await passwordStep(state.plain, browser, who);
    const enrolment = await browser.request(linkOf(page, 'Add an authenticator app instead'));
    expect(enrolment.status).toBe(200);
    expect(enrolment.html).toContain('needs a second factor');
    expect(enrolment.html).toContain('Use your passkey instead');
    const key = keyOnPage(enrolment.html);
    // Back to the passkey: the step is the passkey's again, and the passkey still signs in.
    const back = await browser.request(linkOf(enrolment, 'Use your passkey instead'));
    expectPasskeyStep(back, 'Ledger');
    // Or on with the app, as the fallback for a browser that cannot use the passkey.
    const again = await browser.request(linkOf(back, 'Add an authenticator app instead'));
    expect(keyOnPage(again.html)).toBe(key);
    const codesPage = await browser.submit(again, '/enrol', { code: codeAt(key, 0) });
    expect(recoveryCodesOnPage(codesPage.html)).toHaveLength(10);
    const next = /<a class="button primary" href="([^"]+)"/.exec(codesPage.html)![1]!.replace(/&amp;/g, '&');
    const claims = (await finish(browser, state.plain, start, await browser.request(next))).claims()!;
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('a person with no second factor at all still adds an authenticator app', async () => {
    const who = await person({ passkey: false });
    const browser = new TestBrowser(state.sesame.issuer);
    const { page } = await passwordStep(state.plain, browser, who);
    expect(page.html).toContain('needs a second factor');
    expect(page.html).toContain('Scan this QR code');
    expect(page.html).not.toContain('Use a passkey');
    expect(page.html).not.toContain('Use your passkey instead');
  });

  it('speaks the sign-in language (ui_locales=de)', async () => {
    const who = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const { page } = await passwordStep(state.plain, browser, who, { ui_locales: 'de' });
    expect(page.html).toContain('Einen Passkey verwenden');
    expect(page.html).toContain('Für einen Passkey wird JavaScript benötigt.');
    expect(page.html).toContain('Stattdessen eine Authenticator-App hinzufügen');
    expect(page.html).not.toContain('name="code"');
  });
});

describe.each(PROVIDERS)('a passkey as the only second factor, MFA_POLICY=optional, on %s', (provider) => {
  const { state, person } = sesameWith(provider, 'optional');

  it('a plain client: the password alone, as before (amr pwd)', async () => {
    const who = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const { start, page } = await passwordStep(state.plain, browser, who);
    const claims = (await finish(browser, state.plain, start, page)).claims()!;
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe('urn:sesame:acr:pwd');
  });

  it('a require_mfa client: password, then the passkey; amr pwd+hwk+user+mfa, acr phrh', async () => {
    const who = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const { start, page } = await passwordStep(state.strict, browser, who);
    expectPasskeyStep(page, 'Vault');
    const claims = (await finish(browser, state.strict, start, await usePasskey(browser, page, who.authenticator!))).claims()!;
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('phrh');
  });

  it('step-up: a password session going to a require_mfa client gets the passkey step (no password); acr_values for MFA get it too, at sign-in and as a step-up', async () => {
    const who = await person();
    const browser = new TestBrowser(state.sesame.issuer);
    const first = await passwordStep(state.plain, browser, who);
    expect((await finish(browser, state.plain, first.start, first.page)).claims()!.amr).toEqual(['pwd']);

    const start = await startAuthorization(state.strict);
    const step = await browser.request(start.url.toString());
    expectPasskeyStep(step, 'Vault');
    const claims = (await finish(browser, state.strict, start, await usePasskey(browser, step, who.authenticator!))).claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('phrh');

    // acr_values are voluntary, but a person with a passkey can give it: no password-level acr.
    const other = await person();
    const plainBrowser = new TestBrowser(state.sesame.issuer);
    const asked = await passwordStep(state.plain, plainBrowser, other, { acr_values: 'urn:sesame:acr:mfa' });
    expectPasskeyStep(asked.page, 'Ledger');
    const stepped = (await finish(plainBrowser, state.plain, asked.start, await usePasskey(plainBrowser, asked.page, other.authenticator!))).claims()!;
    expect(stepped.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(MFA_ACRS).toContain(stepped.acr);

    // The same on a session signed in with the password alone: the passkey, no password again.
    const third = await person();
    const sessionBrowser = new TestBrowser(state.sesame.issuer);
    const session = await passwordStep(state.plain, sessionBrowser, third);
    expect((await finish(sessionBrowser, state.plain, session.start, session.page)).claims()!.amr).toEqual(['pwd']);
    const up = await startAuthorization(state.plain, { acr_values: 'urn:sesame:acr:mfa' });
    const upStep = await sessionBrowser.request(up.url.toString());
    expectPasskeyStep(upStep, 'Ledger');
    const upClaims = (await finish(sessionBrowser, state.plain, up, await usePasskey(sessionBrowser, upStep, third.authenticator!))).claims()!;
    expect(upClaims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(upClaims.acr).toBe('phrh');
  });

  it('a person with no second factor at all: a require_mfa client still gets the enrolment', async () => {
    const who = await person({ passkey: false });
    const browser = new TestBrowser(state.sesame.issuer);
    const { page } = await passwordStep(state.strict, browser, who);
    expect(page.html).toContain('needs a second factor');
    expect(page.html).toContain('Scan this QR code');
    expect(page.html).not.toContain('Use your passkey instead');
  });
});
