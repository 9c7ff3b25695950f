// Forgot password, end to end over HTTP: the request page, the mail (a real SMTP server in the test
// process), the page its link opens, and what setting the password does (every session and
// refresh token ends, the lockout lifts). On SQLite and PostgreSQL.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../helpers/mailbox.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const OLD_PASSWORD = 'correct horse battery 42';
const NEW_PASSWORD = 'purple elephant rides 77';

describe.each(PROVIDERS)('password reset on %s', (provider) => {
  let mailbox: Mailbox;
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let n = 0;

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ provider, env: { SMTP_URL: mailbox.url } });
    const client = await sesame.container.clients.create({ client_name: 'Reset app', redirect_uris: [REDIRECT_URI] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => {
    await sesame?.close();
    await mailbox?.close();
  });
  // Every test starts within its quotas (they are per address, and every request here comes from 127.0.0.1).
  beforeEach(async () => {
    await sesame.container.db.prisma.rateLimit.deleteMany();
  });

  async function person(password = OLD_PASSWORD) {
    const email = `person${++n}@example.com`;
    const user = await sesame.container.accounts.create({ email, password, name: 'Ada' });
    return { email, user };
  }

  /** Asks for a reset link through the pages; the answer page. */
  async function ask(browser: TestBrowser, email: string, headers?: Record<string, string>): Promise<Page> {
    const form = await browser.request('/forgot-password');
    expect(form.status).toBe(200);
    if (headers) {
      const { action, fields } = browser.form(form, '/forgot-password', { email });
      const res = await fetch(action, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.cookieHeader(new URL(action)), ...headers },
      });
      return { url: action, status: res.status, html: await res.text(), headers: res.headers };
    }
    return browser.submit(form, '/forgot-password', { email });
  }

  /** The next reset mail to `email` (asking for it through the pages). */
  async function resetMail(email: string, browser = new TestBrowser(sesame.issuer)): Promise<ReceivedMail> {
    const since = mailbox.for(email).length;
    const answer = await ask(browser, email);
    expect(answer.status).toBe(200);
    await sesame.container.passwordReset.settled();
    return mailbox.next(email, { since });
  }

  function linkOf(mail: ReceivedMail): string {
    const link = mail.links.find((l) => l.includes('/reset-password?token='));
    if (!link) throw new Error(`no reset link in:\n${mail.text}`);
    return link;
  }

  async function setPassword(browser: TestBrowser, link: string, password: string, confirm = password): Promise<Page> {
    const page = await browser.request(link);
    if (page.status !== 200) return page;
    return browser.submit(page, '/reset-password', { password, confirm });
  }

  it('mails a single-use link; setting a password with it ends every session and refresh token and lifts the lockout', async () => {
    const { email, user } = await person();
    // Signed in at an app, with a refresh token, in one browser.
    const appBrowser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(appBrowser, start, { email, password: OLD_PASSWORD }), start);
    expect(tokens.refresh_token).toBeTruthy();
    // And locked out by someone guessing.
    for (let i = 0; i < 10; i++) await sesame.container.signInThrottle.failed(email, `10.0.0.${i}`);
    expect(await sesame.container.signInThrottle.accountLockedFor(email)).toBeGreaterThan(0);

    const mail = await resetMail(email);
    expect(mail.subject).toBe('Reset your Sesame password');
    expect(mail.text).toContain('30 minutes');
    const link = linkOf(mail);
    expect(link.startsWith(`${sesame.issuer}/reset-password?token=`)).toBe(true);
    expect(mail.html).toContain('Choose a new password');

    // The link's page: the token leaves the address for a cookie of this path; no referrer leaks.
    const browser = new TestBrowser(sesame.issuer);
    const page = await browser.request(link);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${sesame.issuer}/reset-password`);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html).toContain('Choose a new password');
    expect(page.html).toContain('>New password</label>');
    expect(page.html).toContain('>Confirm new password</label>');
    expect(page.html).toContain('>Set password</button>');
    expect(page.html).not.toContain(new URL(link).searchParams.get('token')!);

    // Two different passwords, then one the rules refuse: the link stays usable.
    const mismatch = await browser.submit(page, '/reset-password', { password: NEW_PASSWORD, confirm: 'something else 123' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.html).toContain('The two passwords are not the same');
    const weak = await browser.submit(mismatch, '/reset-password', { password: 'short', confirm: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('Choose another password');
    const done = await browser.submit(weak, '/reset-password', { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Password changed');

    // Every session and refresh token of theirs ended; the lockout is lifted.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const silent = await startAuthorization(config, { prompt: 'none' });
    expect(new URL((await appBrowser.request(silent.url.toString())).url).searchParams.get('error')).toBe('login_required');
    expect(await sesame.container.signInThrottle.accountLockedFor(email)).toBe(0);
    expect(await sesame.container.accounts.authenticate(email, OLD_PASSWORD)).toBeUndefined();
    expect(await sesame.container.accounts.authenticate(email, NEW_PASSWORD)).toMatchObject({ accountId: user.id });

    // Used: a second use is refused, with a way to ask again.
    const again = await new TestBrowser(sesame.issuer).request(link);
    expect(again.status).toBe(410);
    expect(again.html).toContain('expired or was already used');
    expect(again.html).toContain('href="/forgot-password"');

    const { events } = await sesame.container.audit.list({ limit: 100 });
    const mine = events.filter((e) => e.target === `user:${user.id}`).map((e) => e.action);
    expect(mine).toEqual(expect.arrayContaining(['user.password_reset_requested', 'user.password_reset']));
    const reset = events.find((e) => e.action === 'user.password_reset' && e.target === `user:${user.id}`)!;
    expect(reset.details).toMatchObject({ email, revoked_sessions: 1, revoked_grants: 1 });
    expect(JSON.stringify(events)).not.toContain(new URL(link).searchParams.get('token')!);
  });

  it('voids an older link once a newer one is sent', async () => {
    const { email } = await person();
    const first = linkOf(await resetMail(email));
    const second = linkOf(await resetMail(email));
    expect((await setPassword(new TestBrowser(sesame.issuer), first, NEW_PASSWORD)).status).toBe(410);
    expect((await setPassword(new TestBrowser(sesame.issuer), second, NEW_PASSWORD)).html).toContain('Password changed');
  });

  it('voids the link once the password changes another way', async () => {
    const { email, user } = await person();
    const link = linkOf(await resetMail(email));
    await sesame.container.accounts.setPassword(user.id, NEW_PASSWORD);
    expect((await setPassword(new TestBrowser(sesame.issuer), link, 'another long password 9')).status).toBe(410);
  });

  it('expires after 30 minutes, also between opening the page and sending the form', async () => {
    const { email, user } = await person();
    const link = linkOf(await resetMail(email));
    const browser = new TestBrowser(sesame.issuer);
    const page = await browser.request(link);
    expect(page.status).toBe(200);
    const row = await sesame.container.db.prisma.emailToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(Math.abs(row.expiresAt.getTime() - row.createdAt.getTime() - 30 * 60_000)).toBeLessThan(1000);
    await sesame.container.db.prisma.emailToken.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await browser.submit(page, '/reset-password', { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(late.status).toBe(410);
    expect((await new TestBrowser(sesame.issuer).request(link)).status).toBe(410);
    expect(await sesame.container.accounts.authenticate(email, OLD_PASSWORD)).toBeDefined();
  });

  it('sends nothing to a disabled person, and answers the same', async () => {
    const { email, user } = await person();
    await sesame.container.accounts.setDisabled(user.id, true);
    const answer = await ask(new TestBrowser(sesame.issuer), email);
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Check your email');
    await sesame.container.passwordReset.settled();
    expect(mailbox.for(email)).toHaveLength(0);
  });

  it('mails at most 3 links per email per hour and answers the same; an address over 20 requests an hour gets a 429', async () => {
    const { email } = await person();
    const browser = new TestBrowser(sesame.issuer);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push((await ask(browser, email)).html);
    await sesame.container.passwordReset.settled();
    expect(mailbox.for(email)).toHaveLength(3);
    expect(new Set(answers).size).toBe(1);

    // 20 requests from one address in all (5 above); the 21st is refused, for a real and an unknown email alike.
    for (let i = 0; i < 15; i++) expect((await ask(browser, `nobody${i}@example.com`)).status).toBe(200);
    const real = await ask(browser, email);
    const unknown = await ask(browser, 'nobody-at-all@example.com');
    expect(real.status).toBe(429);
    expect(real.headers.get('retry-after')).toBe('3600');
    expect(real.html).toContain('Too many');
    expect(unknown.status).toBe(429);
    expect(unknown.html).toBe(real.html);
  });

  it('refuses a form without its CSRF token or from another site', async () => {
    const { email } = await person();
    const browser = new TestBrowser(sesame.issuer);
    await browser.request('/forgot-password');
    const noToken = await browser.request('/forgot-password', { form: { email } });
    expect(noToken.status).toBe(403);
    const crossSite = await ask(browser, email, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    await sesame.container.passwordReset.settled();
    expect(mailbox.for(email)).toHaveLength(0);

    const link = linkOf(await resetMail(email));
    const resetBrowser = new TestBrowser(sesame.issuer);
    const page = await resetBrowser.request(link);
    const { action } = resetBrowser.form(page, '/reset-password');
    const forged = await resetBrowser.request(action, { form: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } });
    expect(forged.status).toBe(403);
    // Another browser's token for the same link does not fit this browser either.
    const other = new TestBrowser(sesame.issuer);
    const stolen = await other.request(link);
    const { fields } = other.form(stolen, '/reset-password', { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect((await resetBrowser.request(action, { form: fields })).status).toBe(403);
    expect(await sesame.container.accounts.authenticate(email, OLD_PASSWORD)).toBeDefined();
  });

  it('escapes hostile input and ignores a return address that is not a sign-in', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const hostile = '"><script>alert(1)</script>';
    const form = await browser.request(`/forgot-password?return=${encodeURIComponent('https://evil.example/')}`);
    expect(form.html).not.toContain('evil.example');
    const refused = await browser.submit(form, '/forgot-password', { email: hostile });
    expect(refused.status).toBe(400);
    expect(refused.html).not.toContain('<script>');
    expect(refused.html).toContain('&lt;script&gt;');
    const badToken = await browser.request(`/reset-password?token=${encodeURIComponent(hostile)}`);
    expect(badToken.status).toBe(410);
    expect(badToken.html).not.toContain('<script>');
    // The way back to a sign-in is carried through (only /interaction/<uid>).
    const back = await browser.request(`/forgot-password?return=${encodeURIComponent('/interaction/abc_DEF-1')}`);
    expect(back.html).toContain('href="/interaction/abc_DEF-1"');
    const javascript = await browser.request(`/forgot-password?return=${encodeURIComponent('javascript:alert(1)')}`);
    expect(javascript.html).not.toContain('javascript:');
  });

  it('links "Forgot password?" from the sign-in page and brings the person back to it after the reset', async () => {
    const { email } = await person();
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    const login = await browser.request(start.url.toString());
    const href = /<a href="([^"]*forgot-password[^"]*)">Forgot password\?<\/a>/.exec(login.html)?.[1];
    expect(href).toBeDefined();
    const forgot = await browser.request(href!.replace(/&amp;/g, '&'));
    const uidPath = new URL(login.url).pathname;
    expect(forgot.html).toContain(`href="${uidPath}"`);
    const since = mailbox.for(email).length;
    await browser.submit(forgot, '/forgot-password', { email });
    await sesame.container.passwordReset.settled();
    const link = linkOf(await mailbox.next(email, { since }));
    expect(new URL(link).searchParams.get('return')).toBe(uidPath);
    const done = await setPassword(browser, link, NEW_PASSWORD);
    expect(done.html).toContain(`href="${uidPath}"`);
    // The sign-in goes on where it was, with the new password.
    const again = await browser.request(uidPath);
    const callback = await browser.submit(again, '/login', { email, password: NEW_PASSWORD });
    const page = callback.html.includes('/confirm') ? await browser.submit(callback, '/confirm') : callback;
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
  });

  it('writes the mail in the language of the page it was asked from', async () => {
    const { email } = await person();
    const browser = new TestBrowser(sesame.issuer, { 'accept-language': 'de-DE,de;q=0.9' });
    const form = await browser.request('/forgot-password');
    expect(form.html).toContain('Link zum Zurücksetzen senden');
    const since = mailbox.for(email).length;
    const answer = await browser.submit(form, '/forgot-password', { email });
    expect(answer.html).toContain('Sehen Sie in Ihre E-Mails');
    await sesame.container.passwordReset.settled();
    const mail = await mailbox.next(email, { since });
    expect(mail.subject).toBe('Ihr Sesame-Passwort zurücksetzen');
  });
});
