// MFA_POLICY, a client's require_mfa and step-up, over plain HTTP on each database, with an
// openid-client RP verifying the ID tokens: enrolment inside the sign-in when a second factor is
// required and missing, a second-factor prompt for a session without MFA (the client's setting,
// acr_values), prompt=none answered with an error, max_age answered with a fresh sign-in; a console
// session from before MFA_POLICY required MFA of its admin ends, and signing in again steps up.
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { createTestDatabase, PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin, type AuthorizationStart } from '../helpers/rp.js';
import { createInitialAccessToken } from '../../src/oidc/initial-access-token.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { awayFromStepBoundary, codeAt, keyOnPage, recoveryCodesOnPage } from '../helpers/totp.js';

const PASSWORD = 'amber pelican harbour 47';
const MFA_ACR = 'urn:sesame:acr:mfa';

describe.each(PROVIDERS)('MFA policy and step-up on %s', (provider) => {
  let sesame: TestSesame;
  let plainRp: oidc.Configuration;
  let mfaRp: oidc.Configuration;
  let mfaClientId: string;
  let seq = 0;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { MFA_POLICY: 'required-for-admins' } });
    const plain = await sesame.container.clients.create({ client_name: 'Ledger', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'] });
    plainRp = await discover(sesame.issuer, plain.client_id, plain.client_secret);
    const strict = await sesame.container.clients.create({
      client_name: 'Vault',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      require_mfa: true,
    });
    mfaClientId = strict.client_id;
    mfaRp = await discover(sesame.issuer, strict.client_id, strict.client_secret);
  });
  afterAll(async () => sesame?.close());

  async function person(isAdmin = false) {
    seq += 1;
    const email = `osprey${seq}@example.com`;
    const user = await sesame.container.accounts.create({ email, password: PASSWORD, name: 'Olly Osprey', emailVerified: true, isAdmin });
    return { ...user, password: PASSWORD };
  }

  /** From a page to the RP's callback (consent on the way), and the tokens the RP verified. */
  async function finish(browser: TestBrowser, rp: oidc.Configuration, start: AuthorizationStart, page: Page) {
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}\n${page.html}`).toBe(true);
    return exchange(rp, new URL(page.url), start);
  }

  /** Signs in to the plain client with the password only: a session without MFA. */
  async function passwordSession(who: { email: string; password: string }) {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(plainRp);
    const login = await browser.request(start.url.toString());
    const page = await submitLogin(browser, login, who.email, who.password);
    const claims = (await finish(browser, plainRp, start, page)).claims()!;
    expect(claims.amr).toEqual(['pwd']);
    return browser;
  }

  /** A session without MFA, then an authenticator app added on /account in the same browser: its key. */
  async function sessionThenApp(who: { email: string; password: string }) {
    const browser = await passwordSession(who);
    const account = await browser.request('/account');
    expect(new URL(account.url).pathname, account.html).toBe('/account');
    const enrolment = await browser.submit(account, '/account/authenticator');
    const key = keyOnPage(enrolment.html);
    const done = await browser.submit(enrolment, '/account/authenticator/verify', { code: codeAt(key, -1) });
    expect(done.status).toBe(200);
    return { browser, key };
  }

  it('required-for-admins: an admin without a second factor adds an app inside the sign-in, sees the recovery codes once and gets amr pwd+otp+mfa', async () => {
    await awayFromStepBoundary();
    const admin = await person(true);
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(plainRp);
    const login = await browser.request(start.url.toString());
    const enrolment = await submitLogin(browser, login, admin.email, admin.password);
    expect(enrolment.status).toBe(200);
    expect(enrolment.html).toContain('<svg');
    expect(enrolment.html).toContain('Authentication code');
    expect(enrolment.html).toContain('>Verify<');
    expect(enrolment.html).toContain('needs a second factor');
    expect(enrolment.html).not.toContain('href="/account"');
    const key = keyOnPage(enrolment.html);
    // Nothing is signed in before the app is confirmed.
    expect((await sesame.container.userSessions.list(admin.id)).sessions).toHaveLength(0);

    const wrong = await browser.submit(enrolment, '/enrol', { code: codeAt(key, 5) });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('That code did not work.');
    expect(keyOnPage(wrong.html)).toBe(key);

    const codesPage = await browser.submit(wrong, '/enrol', { code: codeAt(key, 0) });
    expect(codesPage.status).toBe(200);
    expect(recoveryCodesOnPage(codesPage.html)).toHaveLength(10);
    const next = /<a class="button primary" href="([^"]+)"/.exec(codesPage.html)![1]!.replace(/&amp;/g, '&');
    // A reload of the interaction goes on; the codes are not shown again.
    const page = await browser.request(next);
    const claims = (await finish(browser, plainRp, start, page)).claims()!;
    expect(claims.sub).toBe(admin.id);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(MFA_ACR);
    expect(await sesame.container.secondFactors.required(admin.id)).toEqual(['totp', 'recovery_code']);

    // The next sign-in asks for a code, as for anyone with an app.
    const again = new TestBrowser(sesame.issuer);
    const second = await startAuthorization(plainRp);
    const codeStep = await submitLogin(again, await again.request(second.url.toString()), admin.email, admin.password);
    expect(codeStep.html).toContain('Two-step verification');
  });

  it('required-for-admins: a person who is not an admin signs in with the password alone', async () => {
    const who = await person(false);
    await passwordSession(who);
  });

  it('required-for-admins: a session without MFA of someone made an admin since is stepped up (prompt=none: login_required)', async () => {
    await awayFromStepBoundary();
    const who = await person(false);
    const browser = await passwordSession(who);
    await sesame.container.accounts.update(who.id, { isAdmin: true });

    const silent = await startAuthorization(plainRp, { prompt: 'none' });
    const refused = await browser.request(silent.url.toString());
    expect(new URL(refused.url).searchParams.get('error')).toBe('login_required');

    const start = await startAuthorization(plainRp);
    const enrolment = await browser.request(start.url.toString());
    expect(enrolment.html).toContain('needs a second factor');
    expect(enrolment.html).not.toContain('name="password"');
    const codesPage = await browser.submit(enrolment, '/enrol', { code: codeAt(keyOnPage(enrolment.html), 0) });
    const next = /<a class="button primary" href="([^"]+)"/.exec(codesPage.html)![1]!.replace(/&amp;/g, '&');
    const claims = (await finish(browser, plainRp, start, await browser.request(next))).claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('a client with require_mfa: an SSO session without MFA gets the code page (no password), then amr has mfa and acr is urn:sesame:acr:mfa', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { browser, key } = await sessionThenApp(who);
    expect((await sesame.container.clients.get(mfaClientId)).require_mfa).toBe(true);

    const start = await startAuthorization(mfaRp);
    const step = await browser.request(start.url.toString());
    expect(step.status).toBe(200);
    expect(step.html).toContain('Two-step verification');
    expect(step.html).toContain('Vault');
    expect(step.html).not.toContain('name="password"');
    const done = await browser.submit(step, '/second-factor', { code: codeAt(key, 0) });
    const claims = (await finish(browser, mfaRp, start, done)).claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(MFA_ACR);

    // The session has MFA now: the plain client's next ID token says so too, with no page between.
    const plain = await startAuthorization(plainRp);
    const back = await browser.request(plain.url.toString());
    const plainClaims = (await finish(browser, plainRp, plain, back)).claims()!;
    expect(plainClaims.acr).toBe(MFA_ACR);
  });

  it('a client with require_mfa: a session of a person without a second factor adds an app first', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const browser = await passwordSession(who);
    const start = await startAuthorization(mfaRp);
    const enrolment = await browser.request(start.url.toString());
    expect(enrolment.html).toContain('needs a second factor');
    expect(enrolment.html).toContain('Vault');
    const codesPage = await browser.submit(enrolment, '/enrol', { code: codeAt(keyOnPage(enrolment.html), 0) });
    expect(recoveryCodesOnPage(codesPage.html)).toHaveLength(10);
    const next = /<a class="button primary" href="([^"]+)"/.exec(codesPage.html)![1]!.replace(/&amp;/g, '&');
    const claims = (await finish(browser, mfaRp, start, await browser.request(next))).claims()!;
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('acr_values=urn:sesame:acr:mfa steps a session without MFA up; prompt=none gets login_required instead of a page', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { browser, key } = await sessionThenApp(who);

    // Silent: an error at the RP's callback, no page.
    const silent = await startAuthorization(plainRp, { acr_values: MFA_ACR, prompt: 'none' });
    const refused = await browser.request(silent.url.toString());
    expect(refused.url.startsWith(REDIRECT_URI), refused.html).toBe(true);
    const params = new URL(refused.url).searchParams;
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe(silent.state);
    // Without acr_values, prompt=none signs in silently with what the session has.
    const quiet = await startAuthorization(plainRp, { prompt: 'none' });
    expect((await finish(browser, plainRp, quiet, await browser.request(quiet.url.toString()))).claims()!.acr).toBe('urn:sesame:acr:pwd');

    const start = await startAuthorization(plainRp, { acr_values: MFA_ACR });
    const step = await browser.request(start.url.toString());
    expect(step.html).toContain('Two-step verification');
    const done = await browser.submit(step, '/second-factor', { code: codeAt(key, 0) });
    const claims = (await finish(browser, plainRp, start, done)).claims()!;
    expect(claims.acr).toBe(MFA_ACR);
    expect(claims.amr).toContain('mfa');

    // Now prompt=none with acr_values is answered silently.
    const after = await startAuthorization(plainRp, { acr_values: MFA_ACR, prompt: 'none' });
    expect((await finish(browser, plainRp, after, await browser.request(after.url.toString()))).claims()!.acr).toBe(MFA_ACR);
  });

  it('an essential acr in the claims parameter steps up too', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { browser, key } = await sessionThenApp(who);
    const claimsParam = JSON.stringify({ id_token: { acr: { essential: true, values: [MFA_ACR, 'phr', 'phrh'] } } });
    const start = await startAuthorization(plainRp, { claims: claimsParam });
    const step = await browser.request(start.url.toString());
    expect(step.html).toContain('Two-step verification');
    expect(step.html).not.toContain('name="password"');
    const claims = (await finish(browser, plainRp, start, await browser.submit(step, '/second-factor', { code: codeAt(key, 0) }))).claims()!;
    expect(claims.acr).toBe(MFA_ACR);
  });

  it('the enrolment inside the sign-in speaks the sign-in language (ui_locales=de)', async () => {
    const admin = await person(true);
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(plainRp, { ui_locales: 'de' });
    const page = await submitLogin(browser, await browser.request(start.url.toString()), admin.email, admin.password);
    expect(page.html).toContain('erfordert einen zweiten Faktor');
    expect(page.html).toContain('Authentifizierungscode');
    expect(page.html).toContain('>Bestätigen<');
  });

  it('acr_values for MFA from a person without a second factor: signed in with the password, and the ID token says so', async () => {
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(plainRp, { acr_values: MFA_ACR });
    const page = await submitLogin(browser, await browser.request(start.url.toString()), who.email, who.password);
    expect((await finish(browser, plainRp, start, page)).claims()!.acr).toBe('urn:sesame:acr:pwd');
  });

  it('max_age older than the session: a fresh sign-in with the password and the second factor', async () => {
    await awayFromStepBoundary(12_000);
    const who = await person();
    const { browser, key } = await sessionThenApp(who);
    const first = await startAuthorization(plainRp, { acr_values: MFA_ACR });
    const step = await browser.request(first.url.toString());
    const firstClaims = (await finish(browser, plainRp, first, await browser.submit(step, '/second-factor', { code: codeAt(key, 0) }))).claims()!;
    await new Promise((resolve) => setTimeout(resolve, 2100));

    const start = await startAuthorization(plainRp, { max_age: '1' });
    const login = await browser.request(start.url.toString());
    expect(login.html).toContain('name="password"');
    const codeStep = await submitLogin(browser, login, who.email, who.password);
    expect(codeStep.html).toContain('Two-step verification');
    const claims = (await finish(browser, plainRp, start, await browser.submit(codeStep, '/second-factor', { code: codeAt(key, 1) }))).claims()!;
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    // auth_time (sent with max_age) is the fresh sign-in's, after the first ID token was issued.
    expect(claims.auth_time!).toBeGreaterThan(firstClaims.iat);
  });

  it('require_mfa is client metadata: stored, shown, changed and removed like the others', async () => {
    const created = await sesame.container.clients.create({ client_name: 'Safe', redirect_uris: [REDIRECT_URI], require_mfa: true });
    expect(created.require_mfa).toBe(true);
    const off = await sesame.container.clients.update(created.client_id, { require_mfa: false });
    expect(off.require_mfa).toBe(false);
    const plain = await sesame.container.clients.create({ client_name: 'Open', redirect_uris: [REDIRECT_URI] });
    expect(plain.require_mfa).toBe(false);

    // Dynamic registration takes it in the same name, and the provider reads it for the sign-in.
    const { initial_access_token: token } = await createInitialAccessToken(sesame.holder.current(), 300);
    const response = await fetch(`${sesame.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Self-registered vault', redirect_uris: [REDIRECT_URI], require_mfa: true }),
    });
    const registered = (await response.json()) as { client_id: string; require_mfa?: boolean };
    expect(response.status, JSON.stringify(registered)).toBe(201);
    expect(registered.require_mfa).toBe(true);
    expect((await sesame.container.clients.get(registered.client_id)).require_mfa).toBe(true);
  });
});

describe.each(PROVIDERS)('MFA_POLICY=required on %s', (provider) => {
  let sesame: TestSesame;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { MFA_POLICY: 'required' } });
    const client = await sesame.container.clients.create({ client_name: 'Ledger', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'] });
    rp = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  it('a person who is not an admin adds an app at the first sign-in too', async () => {
    await awayFromStepBoundary();
    const who = await sesame.container.accounts.create({ email: 'heron@example.com', password: PASSWORD, name: 'Hana Heron', emailVerified: true });
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(rp);
    const enrolment = await submitLogin(browser, await browser.request(start.url.toString()), who.email, PASSWORD);
    expect(enrolment.html).toContain('needs a second factor');
    const codesPage = await browser.submit(enrolment, '/enrol', { code: codeAt(keyOnPage(enrolment.html), 0) });
    const next = /<a class="button primary" href="([^"]+)"/.exec(codesPage.html)![1]!.replace(/&amp;/g, '&');
    let page = await browser.request(next);
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    const claims = (await exchange(rp, new URL(page.url), start)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe.each(PROVIDERS)('the console when MFA_POLICY changes on %s', (provider) => {
  it('a console session begun with the password alone ends under required-for-admins; signing in again adds an app first', async () => {
    await awayFromStepBoundary();
    const db = await createTestDatabase(provider);
    try {
      // Before the policy: an admin signs in to the console with the password alone.
      const before = await startTestSesame({ db });
      const email = 'kite@example.com';
      const browser = new TestBrowser(before.issuer);
      try {
        await before.container.accounts.create({ email, password: PASSWORD, name: 'Kit Kite', emailVerified: true, isAdmin: true });
        let page = await browser.request('/admin/users');
        page = await browser.submit(page, '/login', { email, password: PASSWORD });
        if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
        expect(new URL(page.url).pathname).toBe('/admin/users');
        expect(page.status).toBe(200);
      } finally {
        await before.close();
      }

      // Restarted with MFA_POLICY=required-for-admins: the same cookies open no console page.
      const after = await startTestSesame({ db, env: { MFA_POLICY: 'required-for-admins' } });
      try {
        const again = new TestBrowser(after.issuer);
        for (const [name, cookie] of browser.cookies) again.cookies.set(name, cookie);
        const enrolment = await again.request('/admin/users');
        expect(new URL(enrolment.url).pathname).toMatch(/^\/interaction\//);
        expect(enrolment.html).toContain('needs a second factor');
        expect(enrolment.html).not.toContain('name="password"');
        const codesPage = await again.submit(enrolment, '/enrol', { code: codeAt(keyOnPage(enrolment.html), 0) });
        expect(recoveryCodesOnPage(codesPage.html)).toHaveLength(10);
        const next = /<a class="button primary" href="([^"]+)"/.exec(codesPage.html)![1]!.replace(/&amp;/g, '&');
        let page = await again.request(next);
        if (page.html.includes('/confirm')) page = await again.submit(page, '/confirm');
        expect(new URL(page.url).pathname).toBe('/admin/users');
        expect(page.status).toBe(200);
        // The new console session began with MFA: it stays open.
        expect((await again.request('/admin/users')).status).toBe(200);
      } finally {
        await after.close();
      }
    } finally {
      await db.drop();
    }
  });
});
