// Authenticator apps (TOTP) and recovery codes over plain HTTP on each database: enrolment on the
// account page, the sign-in's second step with an openid-client RP verifying amr and acr in the ID
// token, replayed codes, throttling, recovery codes (once each), what is stored, CSRF, discovery.
// Codes are computed with `otpauth` from the key the page prints, as an app would.
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin, type AuthorizationStart } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { awayFromStepBoundary, codeAt, keyOnPage, recoveryCodesOnPage } from '../helpers/totp.js';

const PASSWORD = 'quiet heron lantern 91';

/** A code that is not the right one for any accepted step. */
function wrongCode(key: string): string {
  const right = new Set([-1, 0, 1].map((offset) => codeAt(key, offset)));
  for (let n = 123456; ; n = (n + 7919) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!right.has(code)) return code;
  }
}

async function signInToAccount(browser: TestBrowser, email: string, password: string): Promise<Page> {
  const login = await browser.request('/account');
  const page = await browser.submit(login, '/login', { email, password });
  expect(new URL(page.url).pathname).toBe('/account');
  return page;
}

describe.each(PROVIDERS)('second factors on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let seq = 0;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { LOGIN_MAX_FAILURES: '3' } });
    const client = await sesame.container.clients.create({
      client_name: 'Ledger',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
    });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  async function person() {
    seq += 1;
    const email = `kestrel${seq}@example.com`;
    const user = await sesame.container.accounts.create({ email, password: PASSWORD, name: 'Kim Kestrel', emailVerified: true });
    return { ...user, password: PASSWORD };
  }

  /** Adds an authenticator app on /account (confirmed with the previous step's code); its key and recovery codes. */
  async function enrol(who: { email: string; password: string }) {
    const browser = new TestBrowser(sesame.issuer);
    const account = await signInToAccount(browser, who.email, who.password);
    const enrolment = await browser.submit(account, '/account/authenticator');
    expect(new URL(enrolment.url).pathname).toBe('/account/authenticator');
    const key = keyOnPage(enrolment.html);
    const done = await browser.submit(enrolment, '/account/authenticator/verify', { code: codeAt(key, -1) });
    expect(done.status).toBe(200);
    return { browser, key, codes: recoveryCodesOnPage(done.html), page: done };
  }

  /** Starts a sign-in at the RP and types the password: the second step's page. */
  async function passwordStep(browser: TestBrowser, who: { email: string; password: string }, params: Record<string, string> = {}) {
    const start = await startAuthorization(config, params);
    const login = await browser.request(start.url.toString());
    const page = await submitLogin(browser, login, who.email, who.password);
    return { start, page };
  }

  /** From the second step's page with a code to the RP's callback (consent on the way), and the tokens. */
  async function finish(browser: TestBrowser, start: AuthorizationStart, page: Page) {
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}\n${page.html}`).toBe(true);
    return exchange(config, new URL(page.url), start);
  }

  it('enrols an app: the page shows a QR code and the key; a wrong code is refused, a right one confirms it and shows 10 recovery codes once', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    const account = await signInToAccount(browser, who.email, who.password);
    expect(account.html).toContain('Second factors');
    expect(account.html).toContain('Add authenticator app');

    const enrolment = await browser.submit(account, '/account/authenticator');
    expect(enrolment.status).toBe(200);
    expect(enrolment.html).toContain('<svg');
    expect(enrolment.html).toContain('Authentication code');
    expect(enrolment.html).toContain('>Verify<');
    expect(enrolment.html).toMatch(/id="totp-key">[A-Z2-7]{4}( [A-Z2-7]{1,4})+</);
    // The QR code needs no script: no inline script is allowed (the account pages load Sesame's own passkey scripts only).
    expect(enrolment.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(enrolment.html).not.toMatch(/<script>/);
    const key = keyOnPage(enrolment.html);
    expect(key).toHaveLength(32);
    // Not asked for at sign-in before it is confirmed.
    expect(await sesame.container.secondFactors.required(who.id)).toEqual([]);

    const wrong = await browser.submit(enrolment, '/account/authenticator/verify', { code: wrongCode(key) });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('That code did not work.');
    expect(keyOnPage(wrong.html)).toBe(key);

    const done = await browser.submit(wrong, '/account/authenticator/verify', { code: codeAt(key, 0) });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your authenticator app is set up.');
    const codes = recoveryCodesOnPage(done.html);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);

    // Shown once: the enrolment page is gone and the account page only counts them.
    const again = await browser.request('/account/authenticator');
    expect(new URL(again.url).pathname).toBe('/account');
    expect(again.html).toContain('10 unused recovery codes are left.');
    expect(again.html).toContain('Remove authenticator app');
    for (const code of codes) expect(again.html).not.toContain(code);
    expect(await sesame.container.secondFactors.required(who.id)).toEqual(['totp', 'recovery_code']);

    // At rest: the secret sealed (a JWE), the codes as keyed digests; neither readable from the rows.
    const prisma = sesame.container.db.prisma;
    const factor = await prisma.totpFactor.findUnique({ where: { userId: who.id } });
    expect(factor!.secretEncrypted.split('.')).toHaveLength(5);
    expect(JSON.stringify(factor)).not.toContain(key);
    const rows = await prisma.recoveryCode.findMany({ where: { userId: who.id } });
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }

    const enrolled = await sesame.container.audit.list({ action: 'user.totp_enrolled' });
    expect(enrolled.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ actor: `user:${who.id}`, details: { recovery_codes: 10 } });
    const failed = await sesame.container.audit.list({ action: 'user.second_factor_failed' });
    expect(failed.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ details: { method: 'totp', context: 'account', reason: 'wrong_code' } });
  });

  it('signs in with the password and a code: nothing is signed in before the code; the ID token carries amr and acr; a used code is refused', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { key } = await enrol(who);

    const browser = new TestBrowser(sesame.issuer);
    const { start, page } = await passwordStep(browser, who);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Authentication code');
    expect(page.html).toContain('>Verify<');
    expect(page.html).toContain('Use a recovery code');
    expect(page.html).toContain('Ledger');
    // The password alone signs in nowhere.
    expect((await sesame.container.userSessions.list(who.id)).sessions).toHaveLength(1); // the enrolment's browser only

    const wrong = await browser.submit(page, '/second-factor', { code: wrongCode(key) });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('That code did not work.');
    const signedIn = await browser.submit(wrong, '/second-factor', { code: codeAt(key, 0) });
    const tokens = await finish(browser, start, signedIn);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe('urn:sesame:acr:mfa');

    // The same code again (another browser, the same 30 seconds): refused, with the same words.
    const other = new TestBrowser(sesame.issuer);
    const second = await passwordStep(other, who);
    const replayed = await other.submit(second.page, '/second-factor', { code: codeAt(key, 0) });
    expect(replayed.status).toBe(401);
    expect(replayed.html).toContain('That code did not work.');
    const replays = await sesame.container.audit.list({ action: 'user.second_factor_failed' });
    expect(replays.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ details: { method: 'totp', context: 'sign_in', reason: 'replayed' } });
    // The next step's code works.
    const next = await other.submit(replayed, '/second-factor', { code: codeAt(key, 1) });
    expect((await finish(other, second.start, next)).claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);

    const logins = await sesame.container.audit.list({ action: 'login.succeeded' });
    expect(logins.events.find((e) => e.target === `user:${who.id}` && e.details.client_id)).toMatchObject({ details: { amr: ['pwd', 'otp', 'mfa'] } });
  });

  it('a person without a second factor signs in as before, with amr ["pwd"] and the single-factor acr', async () => {
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    const { start, page } = await passwordStep(browser, who);
    const claims = (await finish(browser, start, page)).claims()!;
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe('urn:sesame:acr:pwd');
  });

  it('a recovery code signs in once (amr ["pwd","mfa"]); the account page counts what is left', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { codes, browser: accountBrowser } = await enrol(who);

    const browser = new TestBrowser(sesame.issuer);
    const { start, page } = await passwordStep(browser, who);
    const recoveryForm = await browser.request(/href="([^"]*use=recovery-code)"/.exec(page.html)![1]!.replace(/&amp;/g, '&'));
    expect(recoveryForm.html).toContain('Recovery code');
    expect(recoveryForm.html).toContain('Use your authenticator app instead');
    // Typed in capitals with spaces instead of dashes: the same code.
    const typed = codes[3]!.toUpperCase().replace(/-/g, ' ');
    const signedIn = await browser.submit(recoveryForm, '/second-factor', { code: typed });
    const claims = (await finish(browser, start, signedIn)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'mfa']);
    expect(claims.acr).toBe('urn:sesame:acr:mfa');

    const other = new TestBrowser(sesame.issuer);
    const second = await passwordStep(other, who);
    const form = await other.request(`${new URL(second.page.url).pathname}?use=recovery-code`);
    const reused = await other.submit(form, '/second-factor', { code: codes[3]! });
    expect(reused.status).toBe(401);
    expect(reused.html).toContain('That code did not work.');
    const fresh = await other.submit(reused, '/second-factor', { code: codes[4]! });
    expect((await finish(other, second.start, fresh)).claims()!.amr).toEqual(['pwd', 'mfa']);

    expect((await accountBrowser.request('/account')).html).toContain('8 unused recovery codes are left.');
    const used = await sesame.container.audit.list({ action: 'user.recovery_code_used' });
    expect(used.events.filter((e) => e.target === `user:${who.id}`)).toHaveLength(2);
  });

  it('counts wrong codes as failed sign-ins (LOGIN_MAX_FAILURES=3): locked, the right code refused, the password does not reset the count', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { key } = await enrol(who);
    const browser = new TestBrowser(sesame.issuer);
    let { page } = await passwordStep(browser, who);
    page = await browser.submit(page, '/second-factor', { code: wrongCode(key) });
    expect(page.status).toBe(401);
    page = await browser.submit(page, '/second-factor', { code: wrongCode(key) });
    expect(page.status).toBe(401);
    // The password again, in another browser: the count goes on (a correct password does not end
    // it before the code), so the third wrong code locks.
    const again = new TestBrowser(sesame.issuer);
    ({ page } = await passwordStep(again, who));
    expect(page.status).toBe(200);
    page = await again.submit(page, '/second-factor', { code: wrongCode(key) });
    expect(page.status).toBe(429);
    expect(page.html).toContain('Too many attempts');
    expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
    const refused = await again.submit(page, '/second-factor', { code: codeAt(key, 0) });
    expect(refused.status).toBe(429);
    // The password too, now: the lockout covers both.
    const third = new TestBrowser(sesame.issuer);
    const login = await third.request((await startAuthorization(config)).url.toString());
    expect((await submitLogin(third, login, who.email, who.password)).status).toBe(429);
    const throttled = await sesame.container.audit.list({ action: 'user.second_factor_failed' });
    expect(throttled.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ details: { reason: 'throttled' } });
    await sesame.container.accounts.unlock(who.id);
  });

  it('regenerates recovery codes with a code from the app, removes the app with the password; then the password is enough', async () => {
    await awayFromStepBoundary();
    const who = await person();
    const { browser, key, codes } = await enrol(who);
    let page = await browser.request('/account');
    const wrong = await browser.submit(page, '/account/recovery-codes', { code: wrongCode(key) });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('That code did not work.');
    const regenerated = await browser.submit(wrong, '/account/recovery-codes', { code: codeAt(key, 0) });
    expect(regenerated.status).toBe(200);
    const fresh = recoveryCodesOnPage(regenerated.html);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => codes.includes(code))).toBe(false);

    page = await browser.request('/account');
    const refused = await browser.submit(page, '/account/authenticator/remove', { current_password: 'not the password at all' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('The current password is not correct.');
    page = await browser.submit(refused, '/account/authenticator/remove', { current_password: who.password });
    expect(page.html).toContain('Your authenticator app is removed.');
    expect(page.html).toContain('Add authenticator app');
    expect(await sesame.container.db.prisma.recoveryCode.count({ where: { userId: who.id } })).toBe(0);
    const removed = await sesame.container.audit.list({ action: 'user.totp_removed' });
    expect(removed.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ actor: `user:${who.id}` });

    const signIn = new TestBrowser(sesame.issuer);
    const { start, page: next } = await passwordStep(signIn, who);
    expect((await finish(signIn, start, next)).claims()!.amr).toEqual(['pwd']);
  });

  it('refuses the forms without their CSRF token, and the second step without a verified password', async () => {
    const who = await person();
    const browser = new TestBrowser(sesame.issuer);
    await signInToAccount(browser, who.email, who.password);
    for (const path of ['/account/authenticator', '/account/authenticator/verify', '/account/recovery-codes', '/account/authenticator/remove']) {
      expect((await browser.request(path, { form: { code: '123456', csrf: 'A'.repeat(43) } })).status).toBe(403);
    }
    expect(await sesame.container.secondFactors.status(who.id)).toMatchObject({ totp: null, enrolling: false });

    await awayFromStepBoundary();
    const enrolled = await person();
    const { key } = await enrol(enrolled);
    const signIn = new TestBrowser(sesame.issuer);
    const { page } = await passwordStep(signIn, enrolled);
    const forged = await signIn.request(signIn.form(page, '/second-factor').action, { form: { code: codeAt(key, 0), csrf: 'A'.repeat(43) } });
    expect(forged.status).toBe(403);
    // The marker is bound to the browser that typed the password: another browser's form is refused.
    const stranger = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const login = await stranger.request(start.url.toString());
    const uid = /\/interaction\/([^/"]+)\/login/.exec(login.html)![1]!;
    const noPassword = await stranger.request(`/interaction/${uid}/second-factor`, {
      form: { code: codeAt(key, 0), csrf: stranger.form(login, '/login').fields.csrf! },
    });
    expect(noPassword.status).toBe(400);
    expect((await sesame.container.userSessions.list(enrolled.id)).sessions).toHaveLength(1);
  });

  it('lists acr_values_supported in discovery', async () => {
    const metadata = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.acr_values_supported).toEqual(['urn:sesame:acr:pwd', 'urn:sesame:acr:mfa', 'phr', 'phrh']);
  });
});
