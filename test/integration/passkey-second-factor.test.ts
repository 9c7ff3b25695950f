// A passkey as the second factor, over plain HTTP with a software authenticator
// (test/helpers/soft-authenticator.ts) on each database: after the password, the second step offers
// "Use a passkey" to a person who has one; the options allow only their passkeys; the answer signs
// in and an openid-client RP verifies amr and acr; another person's passkey is refused and audited;
// wrong answers count like wrong codes. And the passkey routes' CSRF refusals and per-address
// throttling (passwordless and second factor), which the browser tests do not reach.
import type * as oidc from 'openid-client';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin, type AuthorizationStart } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { awayFromStepBoundary, codeAt } from '../helpers/totp.js';

const PASSWORD = 'amber thistle compass 47';
let addressSeq = 0;
/** A fresh source address per browser (behind the trusted proxy), so address lockouts stay apart. */
const address = () => `198.51.100.${++addressSeq}`;

describe.each(PROVIDERS)('passkey as a second factor on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let seq = 0;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '4', TRUST_PROXY: 'true' } });
    const client = await sesame.container.clients.create({ client_name: 'Ledger', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  const browserAt = () => new TestBrowser(sesame.issuer, { 'x-forwarded-for': address() });

  /** A person with a password, optionally an authenticator app (confirmed through the service) and a passkey. */
  async function person({ app = true, passkey = true, synced = false } = {}) {
    seq += 1;
    const email = `heron${seq}@example.com`;
    const user = await sesame.container.accounts.create({ email, password: PASSWORD, name: 'Hana Heron', emailVerified: true });
    if (app) {
      await awayFromStepBoundary();
      const enrolment = await sesame.container.secondFactors.startEnrolment(user.id);
      await sesame.container.secondFactors.confirmEnrolment(user.id, codeAt(enrolment!.secret, -1), { actor: `user:${user.id}` });
    }
    let authenticator: SoftAuthenticator | undefined;
    if (passkey) {
      authenticator = new SoftAuthenticator(sesame.issuer, { synced });
      const { token, options } = await sesame.container.passkeys.startRegistration(user);
      await sesame.container.passkeys.finishRegistration(user, token, JSON.stringify(authenticator.register(options)), 'Laptop', { actor: `user:${user.id}` });
    }
    return { ...user, password: PASSWORD, authenticator };
  }

  async function passwordStep(browser: TestBrowser, who: { email: string; password: string }) {
    const start = await startAuthorization(config);
    const login = await browser.request(start.url.toString());
    const page = await submitLogin(browser, login, who.email, who.password);
    return { start, page };
  }

  /** The options step of a passkey form on `page` (the form posting to `actionPart`): status and JSON. */
  async function options(browser: TestBrowser, page: Page, actionPart: string, csrf?: string) {
    const { action, fields } = browser.form(page, actionPart);
    const answer = await browser.request(`${action}/options`, { form: { csrf: csrf ?? fields.csrf! } });
    // A refused form (CSRF) is an HTML page, not JSON.
    const json = (answer.headers.get('content-type') ?? '').includes('json') ? JSON.parse(answer.html) : {};
    return { status: answer.status, json: json as { options?: PublicKeyCredentialRequestOptionsJSON; error?: string } };
  }

  async function finish(browser: TestBrowser, start: AuthorizationStart, page: Page) {
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}\n${page.html}`).toBe(true);
    return exchange(config, new URL(page.url), start);
  }

  it('offers "Use a passkey" after the password; its options allow only the person\'s passkeys; the answer signs in with amr pwd+hwk+user+mfa and acr phrh', async () => {
    const who = await person();
    const other = await person();
    const browser = browserAt();
    const { start, page } = await passwordStep(browser, who);
    expect(page.html).toContain('Authentication code');
    expect(page.html).toContain('Use a passkey');
    expect(page.html).toContain('/assets/passkeys.js');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Nobody is signed in yet.
    expect((await sesame.container.userSessions.list(who.id)).sessions).toHaveLength(0);

    const { status, json } = await options(browser, page, '/second-factor/passkey');
    expect(status).toBe(200);
    expect(json.options!.userVerification).toBe('required');
    expect(json.options!.allowCredentials!.map((c) => c.id)).toEqual([who.authenticator!.id]);
    expect(json.options!.allowCredentials!.map((c) => c.id)).not.toContain(other.authenticator!.id);

    const signedIn = await browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(who.authenticator!.authenticate(json.options!)) });
    const tokens = await finish(browser, start, signedIn);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(who.id);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('phrh');
    const succeeded = await sesame.container.audit.list({ action: 'login.succeeded' });
    expect(succeeded.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({ details: { amr: ['pwd', 'hwk', 'user', 'mfa'] } });
    expect((await sesame.container.passkeys.list(who.id))[0]).toMatchObject({ counter: 1 });
  });

  it('a synced passkey gives swk and phr', async () => {
    const who = await person({ synced: true });
    const browser = browserAt();
    const { start, page } = await passwordStep(browser, who);
    const { json } = await options(browser, page, '/second-factor/passkey');
    const signedIn = await browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(who.authenticator!.authenticate(json.options!)) });
    const claims = (await finish(browser, start, signedIn)).claims()!;
    expect(claims.amr).toEqual(['pwd', 'swk', 'user', 'mfa']);
    expect(claims.acr).toBe('phr');
  });

  it("refuses another person's passkey (audited, counted), and the person without a passkey is not offered one", async () => {
    const who = await person();
    const other = await person();
    const browser = browserAt();
    const { start, page } = await passwordStep(browser, who);
    const { json } = await options(browser, page, '/second-factor/passkey');
    const refused = await browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(other.authenticator!.authenticate(json.options!)) });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('That passkey was not accepted.');
    expect((await sesame.container.userSessions.list(who.id)).sessions).toHaveLength(0);
    expect((await sesame.container.userSessions.list(other.id)).sessions).toHaveLength(0);
    // The other person's passkey was not used: its counter did not move.
    expect((await sesame.container.passkeys.list(other.id))[0]).toMatchObject({ counter: 0, lastUsedAt: null });
    const failed = await sesame.container.audit.list({ action: 'user.second_factor_failed' });
    expect(failed.events.find((e) => e.target === `user:${who.id}`)).toMatchObject({
      actor: `user:${who.id}`,
      details: { method: 'passkey', context: 'sign_in', reason: 'other_person', key_owner: `user:${other.id}` },
    });
    // The challenge was spent; a fresh one with the right passkey still signs in.
    const again = await options(browser, refused, '/second-factor/passkey');
    const signedIn = await browser.submit(refused, '/second-factor/passkey', {
      response: JSON.stringify(who.authenticator!.authenticate(again.json.options!)),
    });
    expect((await finish(browser, start, signedIn)).claims()!.sub).toBe(who.id);

    const appOnly = await person({ passkey: false });
    const plain = browserAt();
    const step = await passwordStep(plain, appOnly);
    expect(step.page.html).toContain('Authentication code');
    expect(step.page.html).not.toContain('Use a passkey');
    expect(step.page.headers.get('content-security-policy')).not.toContain('script-src');
  });

  it('counts wrong answers like wrong codes (LOGIN_MAX_FAILURES=3): locked, then the right passkey is refused', async () => {
    const who = await person();
    const browser = browserAt();
    let { page } = await passwordStep(browser, who);
    for (let i = 0; i < 2; i += 1) {
      const { json } = await options(browser, page, '/second-factor/passkey');
      page = await browser.submit(page, '/second-factor/passkey', {
        response: JSON.stringify(who.authenticator!.authenticate(json.options!, { userVerified: false })),
      });
      expect(page.status).toBe(401);
    }
    const { json } = await options(browser, page, '/second-factor/passkey');
    page = await browser.submit(page, '/second-factor/passkey', { response: '{"not":"a credential"}' });
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBeTruthy();
    // Locked: neither options nor an answer is checked, the right one neither.
    expect((await options(browser, page, '/second-factor/passkey')).status).toBe(429);
    const refused = await browser.submit(page, '/second-factor/passkey', { response: JSON.stringify(who.authenticator!.authenticate(json.options!)) });
    expect(refused.status).toBe(429);
    expect((await sesame.container.userSessions.list(who.id)).sessions).toHaveLength(0);
    const locked = await sesame.container.audit.list({ action: 'user.locked' });
    expect(locked.events.some((e) => e.target === `user:${who.id}`)).toBe(true);
  });

  it('refuses the passkey routes without their CSRF token (passwordless and second factor), and the second factor without a verified password', async () => {
    const who = await person();
    const browser = browserAt();
    const start = await startAuthorization(config);
    const login = await browser.request(start.url.toString());
    const forged = 'A'.repeat(43);
    expect((await options(browser, login, '/passkey', forged)).status).toBe(403);
    const passwordless = browser.form(login, '/passkey');
    expect((await browser.request(passwordless.action, { form: { csrf: forged, response: '{}' } })).status).toBe(403);
    // Without the password, the second factor's routes have nothing to verify.
    const uid = /\/interaction\/([^/"]+)\/login/.exec(login.html)![1]!;
    const csrf = browser.form(login, '/login').fields.csrf!;
    expect((await browser.request(`/interaction/${uid}/second-factor/passkey/options`, { form: { csrf } })).status).toBe(400);
    expect((await browser.request(`/interaction/${uid}/second-factor/passkey`, { form: { csrf, response: '{}' } })).status).toBe(400);

    const page = await submitLogin(browser, login, who.email, who.password);
    expect((await options(browser, page, '/second-factor/passkey', forged)).status).toBe(403);
    const { json } = await options(browser, page, '/second-factor/passkey');
    const answer = JSON.stringify(who.authenticator!.authenticate(json.options!));
    const second = browser.form(page, '/second-factor/passkey');
    expect((await browser.request(second.action, { form: { csrf: forged, response: answer } })).status).toBe(403);
    expect((await sesame.container.userSessions.list(who.id)).sessions).toHaveLength(0);
    // The forged posts did not spend the challenge: the real form still works.
    const signedIn = await browser.submit(page, '/second-factor/passkey', { response: answer });
    expect((await finish(browser, start, signedIn)).claims()!.sub).toBe(who.id);
  });

  it('locks out an address after LOGIN_MAX_FAILURES_PER_ADDRESS=4 refused passwordless passkeys: options and answers get 429', async () => {
    const who = await person({ app: false });
    const browser = browserAt();
    const start = await startAuthorization(config);
    let page = await browser.request(start.url.toString());
    for (let i = 0; i < 3; i += 1) {
      const { status } = await options(browser, page, '/passkey');
      expect(status).toBe(200);
      page = await browser.submit(page, '/passkey', { response: 'not json' });
      expect(page.status).toBe(401);
      expect(page.html).toContain('That passkey was not accepted.');
    }
    await options(browser, page, '/passkey');
    page = await browser.submit(page, '/passkey', { response: 'not json' });
    expect(page.status).toBe(429);
    expect((await options(browser, page, '/passkey')).status).toBe(429);
    // The right passkey from the locked address is refused before it is checked.
    const right = await browser.submit(page, '/passkey', { response: JSON.stringify(who.authenticator!.authenticate({ challenge: 'x', rpId: 'localhost' })) });
    expect(right.status).toBe(429);
    expect((await sesame.container.userSessions.list(who.id)).sessions).toHaveLength(0);
    // Another address is not locked.
    const elsewhere = browserAt();
    const fresh = await elsewhere.request((await startAuthorization(config)).url.toString());
    expect((await options(elsewhere, fresh, '/passkey')).status).toBe(200);
  });
});
