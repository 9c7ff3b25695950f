// Sign-up (SIGNUP=open) end to end on both databases, with a real SMTP server in the test process:
// the form, the mail, the account that cannot sign in until its address is verified, the link
// (a GET that only shows a button, a POST that verifies, once), and the sign-in after it with a
// real RP (openid-client). What an address that already has an account gets (the same page, a
// note instead of a link), the domain rule, throttling, CSRF, escaping; and off by default.
// Sources are told apart through a trusted proxy (TRUST_PROXY=1), as behind a load balancer.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfServiceRouters } from '../../src/http/self-service/sign-up.js';
import { silentLogger } from '../../src/logger.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../helpers/mailbox.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PASSWORD = 'correct horse battery 42';
const DOMAINS = 'example.com,example.org';
const CHECK_MAIL = 'Check your mail';
const LOGIN_FAILED = 'Incorrect email or password.';

let nextAddress = 1;
/** A fresh source address per scenario, so scenarios never share the per-address count. */
const address = () => `198.51.100.${nextAddress++}`;
let nextPerson = 1;
const newEmail = (prefix = 'new') => `${prefix}-${nextPerson++}-${Date.now().toString(36)}@example.com`;

/** The link a verification mail carries (/verify-email?token=...). */
function verificationLink(mail: ReceivedMail): string {
  const link = mail.links.find((l) => l.includes('/verify-email?token='));
  if (!link) throw new Error(`no verification link in:\n${mail.text}`);
  return link;
}

describe.each(PROVIDERS)('sign-up on %s', (provider) => {
  let mailbox: Mailbox;
  let sesame: TestSesame;
  let client: { client_id: string; client_secret: string };
  let rp: oidc.Configuration;

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ provider, env: { SMTP_URL: mailbox.url, SIGNUP: 'open', SIGNUP_DOMAINS: DOMAINS, TRUST_PROXY: '1' } });
    const created = await sesame.container.clients.create({ client_name: 'Notes', redirect_uris: [REDIRECT_URI] });
    client = { client_id: created.client_id, client_secret: created.client_secret! };
    rp = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => {
    await sesame?.close();
    await mailbox?.close();
  });

  const auditOf = async (target: string) => (await sesame.container.audit.list({ limit: 500 })).events.filter((e) => e.target === target);
  const browserAt = (from = address()) => new TestBrowser(sesame.issuer, { 'x-forwarded-for': from });

  /** A new sign-in at the RP, on Sesame's login page. */
  async function loginPage(browser: TestBrowser) {
    const start = await startAuthorization(rp);
    const page = await browser.request(start.url.toString());
    expect(page.status).toBe(200);
    return { start, page };
  }

  function signUpForm(page: Page): string {
    const link = /<a href="([^"]*\/sign-up[^"]*)">Create account<\/a>/.exec(page.html);
    if (!link) throw new Error(`no "Create account" link on:\n${page.html}`);
    return link[1]!.replace(/&amp;/g, '&');
  }

  const submitSignUp = (browser: TestBrowser, page: Page, fields: { email: string; name: string; password: string }) =>
    browser.submit(page, '/sign-up', fields);

  it('creates an account that signs in only once its address is verified, then continues to the app', async () => {
    const browser = browserAt();
    const email = newEmail('ada');
    const { start, page: login } = await loginPage(browser);

    // The login page links to sign-up, carrying the sign-in along.
    const form = await browser.request(signUpForm(login));
    expect(form.status).toBe(200);
    for (const label of ['>Email<', '>Name<', '>Password<', 'Create account']) expect(form.html).toContain(label);
    expect(form.html).toContain('to continue to <strong>Notes</strong>');

    const answer = await submitSignUp(browser, form, { email: email.toUpperCase(), name: 'Ada Lovelace', password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain(CHECK_MAIL);
    expect(answer.html).toContain(email);

    const mail = await mailbox.next(email, { since: 0 });
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('Welcome to Sesame, Ada Lovelace!');
    const link = verificationLink(mail);

    // Not yet: the right password is refused exactly like a wrong one. (Another browser: this
    // one's sign-in stays the one the person started from.)
    const elsewhere = browserAt();
    const before = await submitLogin(elsewhere, (await loginPage(elsewhere)).page, email, PASSWORD);
    expect(before.status).toBe(401);
    expect(before.html).toContain(LOGIN_FAILED);
    const wrong = await submitLogin(elsewhere, (await loginPage(elsewhere)).page, email, 'not the password at all');
    expect(wrong.status).toBe(401);
    const withoutTokens = (html: string) => html.replace(/value="[^"]*"/g, '').replace(/interaction[/=][\w-]+/g, '');
    expect(withoutTokens(wrong.html)).toBe(withoutTokens(before.html));

    // The link (GET, what a mail scanner fetches) only shows a button: nothing changes.
    const confirm = await browser.request(link);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('Confirm email address');
    expect(confirm.html).toContain(email);
    expect((await sesame.container.accounts.findByEmail(email))?.emailVerified).toBe(false);

    // The button verifies, and offers to go on with the sign-in the person started from.
    const verified = await browser.submit(confirm, '/verify-email');
    expect(verified.status).toBe(200);
    expect(verified.html).toContain('Email address confirmed');
    const account = await sesame.container.accounts.findByEmail(email);
    expect(account?.emailVerified).toBe(true);
    const audit = await auditOf(`user:${account!.id}`);
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.signed_up', 'user.email_verified']));
    expect(audit.find((e) => e.action === 'user.signed_up')).toMatchObject({ actor: 'anonymous', source_address: expect.any(String) });

    // Used once: the same link again is refused.
    expect((await browser.request(link)).status).toBe(400);

    const continueLink = /<a class="button" href="([^"]+)">Continue to Notes<\/a>/.exec(verified.html);
    expect(continueLink).not.toBeNull();
    let page = await browser.request(continueLink![1]!);
    expect(page.html).toContain('name="password"');
    page = await submitLogin(browser, page, email, PASSWORD);
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
    const tokens = await exchange(rp, new URL(page.url), start);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(account!.id);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ email, email_verified: true, name: 'Ada Lovelace' });
  });

  it('answers an address that has an account with the same page, and mails it a note instead of a link', async () => {
    const known = newEmail('known');
    await sesame.container.accounts.create({ email: known, password: PASSWORD, emailVerified: true });
    const unknown = newEmail('unknown');

    const pageFor = async (email: string) => {
      const browser = browserAt();
      const form = await browser.request('/sign-up');
      return submitSignUp(browser, form, { email, name: 'Someone', password: 'another strong passphrase 7' });
    };
    const [forKnown, forUnknown] = [await pageFor(known), await pageFor(unknown)];
    expect(forKnown.status).toBe(forUnknown.status);
    expect(forKnown.html.replaceAll(known, 'EMAIL')).toBe(forUnknown.html.replaceAll(unknown, 'EMAIL'));
    const headerNames = (page: Page) => {
      const names: string[] = [];
      page.headers.forEach((_value, name) => names.push(name));
      return names.sort();
    };
    expect(headerNames(forKnown)).toEqual(headerNames(forUnknown));

    const note = await mailbox.next(known, { since: 0 });
    expect(note.subject).toBe('Someone tried to create an account with your address');
    expect(note.text).not.toContain('/verify-email?token=');
    expect(note.text).toContain('Forgot password?');
    expect(note.links.some((l) => l.includes('/verify-email/resend'))).toBe(true);
    expect((await mailbox.next(unknown, { since: 0 })).subject).toBe('Confirm your email address');

    // The account was not touched: its password still works, the attempt is in the audit log.
    expect(await sesame.container.accounts.authenticate(known, PASSWORD)).toBeDefined();
    const holder = await sesame.container.accounts.findByEmail(known);
    const audit = await auditOf(`user:${holder!.id}`);
    expect(audit.map((e) => e.action)).toContain('signup.existing_email');
  });

  it('takes as long for an address that has an account as for a new one', async () => {
    const known = newEmail('timing');
    await sesame.container.accounts.create({ email: known, password: PASSWORD });
    const time = async (email: string) => {
      const browser = browserAt();
      const form = await browser.request('/sign-up');
      const { action, fields } = browser.form(form, '/sign-up', { email, name: 'Tim', password: 'timing is everything 99' });
      const started = performance.now();
      const page = await browser.request(action, { form: fields });
      const ms = performance.now() - started;
      expect(page.html).toContain(CHECK_MAIL);
      // The work behind the answer (a hash either way) must not overlap the next timing: it would
      // slow whichever request comes next, not the kind of address.
      await sesame.container.signUp.settled();
      return ms;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 9; i++) {
      knownTimes.push(await time(known));
      unknownTimes.push(await time(newEmail('timing-new')));
    }
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    // The answer does not wait for the lookup, the hash or the mail: within a few milliseconds.
    expect(Math.abs(k - u)).toBeLessThan(Math.max(15, 0.5 * Math.min(k, u)));
  });

  it('refuses an address outside SIGNUP_DOMAINS, a weak password, a missing name, each with a clear message', async () => {
    const browser = browserAt();
    const form = await browser.request('/sign-up');
    expect(form.html).toContain('Use your address at example.com or example.org.');
    const outside = await submitSignUp(browser, form, { email: 'mallory@evil.test', name: 'Mallory', password: PASSWORD });
    expect(outside.status).toBe(400);
    expect(outside.html).toContain('Accounts can only be created with an email address at example.com or example.org.');
    expect(outside.html).toContain('value="mallory@evil.test"');
    expect(outside.html).not.toContain(PASSWORD);

    const weak = await submitSignUp(browser, outside, { email: newEmail(), name: 'Wendy', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('Password must be at least 10 characters.');
    const common = await submitSignUp(browser, weak, { email: newEmail(), name: 'Wendy', password: 'password1234' });
    expect(common.status).toBe(400);
    expect(common.html).toContain('This password is too common or easy to guess; choose another.');
    const personal = await submitSignUp(browser, common, { email: newEmail(), name: 'Wendy Wonderland', password: 'wendy wonderland 2024!' });
    expect(personal.status).toBe(400);
    expect(personal.html).toContain('Password must not be or contain your email address or name.');

    const nameless = await submitSignUp(browser, weak, { email: newEmail(), name: '  ', password: PASSWORD });
    expect(nameless.status).toBe(400);
    expect(nameless.html).toContain('Enter your name');

    const bad = await submitSignUp(browser, nameless, { email: 'not an address', name: 'Nobody', password: PASSWORD });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Enter a valid email address.');
    expect(await sesame.container.accounts.findByEmail('mallory@evil.test')).toBeUndefined();
  });

  it('escapes a hostile name on the page and in the mail', async () => {
    const hostile = '<script>alert(1)</script> & "Eve"';
    const browser = browserAt();
    const form = await browser.request('/sign-up');
    const refused = await submitSignUp(browser, form, { email: newEmail(), name: hostile, password: 'short' });
    expect(refused.html).not.toContain('<script>');
    expect(refused.html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Eve&quot;"');

    const email = newEmail('eve');
    expect((await submitSignUp(browser, refused, { email, name: hostile, password: PASSWORD })).status).toBe(200);
    const mail = await mailbox.next(email, { since: 0 });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Welcome to Sesame, &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Eve&quot;!');
    expect(mail.text).toContain(`Welcome to Sesame, ${hostile}!`);
  });

  it('throttles the form per source address, the same for every email', async () => {
    const from = address();
    const browser = browserAt(from);
    let page = await browser.request('/sign-up');
    // Ten uses an hour from one address (refused forms count too); the eleventh is refused before any check.
    for (let i = 0; i < 10; i++) {
      page = await submitSignUp(browser, page, { email: newEmail(), name: 'Flood', password: 'short' });
      expect(page.status).toBe(400);
    }
    const throttled = await submitSignUp(browser, page, { email: newEmail(), name: 'Flood', password: PASSWORD });
    expect(throttled.status).toBe(429);
    expect(throttled.html).toContain('Too many attempts');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    const other = browserAt();
    expect((await submitSignUp(other, await other.request('/sign-up'), { email: newEmail(), name: 'Fine', password: PASSWORD })).status).toBe(200);
  });

  it('sends at most three mails an hour to one address, silently', async () => {
    const target = newEmail('flooded');
    await sesame.container.accounts.create({ email: target, password: PASSWORD, emailVerified: true });
    for (let i = 0; i < 5; i++) {
      const browser = browserAt();
      const page = await submitSignUp(browser, await browser.request('/sign-up'), { email: target, name: 'Flood', password: PASSWORD });
      expect(page.status).toBe(200);
      expect(page.html).toContain(CHECK_MAIL);
    }
    await mailbox.next(target, { since: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(mailbox.for(target)).toHaveLength(3);
  });

  it('refuses a form without its CSRF token or from another origin', async () => {
    const browser = browserAt();
    const form = await browser.request('/sign-up');
    const { action, fields } = browser.form(form, '/sign-up', { email: newEmail(), name: 'Csrf', password: PASSWORD });
    const noToken = await browser.request(action, { form: { ...fields, csrf: '' } });
    expect(noToken.status).toBe(403);
    const crossSite = await fetch(action, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        cookie: browser.cookieHeader(new URL(action)),
        'x-forwarded-for': address(),
      },
      body: new URLSearchParams(fields),
    });
    expect(crossSite.status).toBe(403);
    const verify = await browser.request('/verify-email', { form: { token: 'x'.repeat(43) } });
    expect(verify.status).toBe(403);
  });

  it('sends a new link on request (the old one stops working), and answers the same for any address', async () => {
    const email = newEmail('again');
    const browser = browserAt();
    await submitSignUp(browser, await browser.request('/sign-up'), { email, name: 'Again', password: PASSWORD });
    const first = verificationLink(await mailbox.next(email, { since: 0 }));

    const resendFor = async (typed: string) => {
      const b = browserAt();
      return b.submit(await b.request('/verify-email/resend'), '/verify-email/resend', { email: typed });
    };
    const resent = await resendFor(email);
    const nobody = await resendFor('nobody-here@example.com');
    expect(resent.status).toBe(200);
    expect(resent.html.replaceAll(email, 'EMAIL')).toBe(nobody.html.replaceAll('nobody-here@example.com', 'EMAIL'));
    const second = verificationLink(await mailbox.next(email, { since: 1 }));
    expect(second).not.toBe(first);
    expect((await browser.request(first)).status).toBe(400);
    const confirm = await browser.request(second);
    expect((await browser.submit(confirm, '/verify-email')).status).toBe(200);
    expect(await sesame.container.accounts.authenticate(email, PASSWORD)).toBeDefined();
  });

  it("lets an admin's verification end a sign-up's wait (audited), and admin-created unverified users sign in as before", async () => {
    const email = newEmail('vouched');
    const browser = browserAt();
    await submitSignUp(browser, await browser.request('/sign-up'), { email, name: 'Vouched', password: PASSWORD });
    await mailbox.next(email, { since: 0 });
    const user = (await sesame.container.accounts.findByEmail(email))!;
    expect(await sesame.container.accounts.authenticate(email, PASSWORD)).toBeUndefined();
    await sesame.container.accounts.update(user.id, { emailVerified: true }, { actor: 'cli' });
    expect(await sesame.container.accounts.authenticate(email, PASSWORD)).toBeDefined();
    const audit = await auditOf(`user:${user.id}`);
    expect(audit.find((e) => e.action === 'user.updated')).toMatchObject({ actor: 'cli', details: { changed: ['email_verified'] } });

    const invited = newEmail('admin-made');
    await sesame.container.accounts.create({ email: invited, password: PASSWORD });
    expect(await sesame.container.accounts.authenticate(invited, PASSWORD)).toBeDefined();
  });
});

describe('sign-up off', () => {
  let mailbox: Mailbox;
  let sesame: TestSesame;

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ env: { SMTP_URL: mailbox.url } });
  });
  afterAll(async () => {
    await sesame?.close();
    await mailbox?.close();
  });

  it('has no sign-up routes and no "Create account" link by default (SIGNUP=off)', async () => {
    expect((await fetch(`${sesame.issuer}/sign-up`)).status).toBe(404);
    expect((await fetch(`${sesame.issuer}/sign-up`, { method: 'POST', body: new URLSearchParams({ email: 'a@example.com' }) })).status).toBe(404);
    const created = await sesame.container.clients.create({ client_name: 'Notes', redirect_uris: [REDIRECT_URI] });
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(await discover(sesame.issuer, created.client_id, created.client_secret));
    const login = await browser.request(start.url.toString());
    expect(login.html).toContain('name="password"');
    expect(login.html).not.toContain('Create account');
    expect(login.html).not.toContain('/sign-up');
    // Email verification stays: email changes and admin-created accounts use it.
    expect((await fetch(`${sesame.issuer}/verify-email/resend`)).status).toBe(200);
  });

  it('is off when mail is off, even with SIGNUP=open', () => {
    const off = selfServiceRouters({
      services: { mailer: { available: false } } as Parameters<typeof selfServiceRouters>[0]['services'],
      provider: () => sesame.holder.current(),
      signup: { open: true, domains: [] },
      log: silentLogger,
    });
    expect(off).toEqual({ routers: [], signUpOpen: false });
  });
});
