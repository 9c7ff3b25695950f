// Changing a person's email address through a link sent to the NEW address, on both databases with a
// real SMTP server in the test process: the `email_verified` claim (userinfo and ID token) follows
// the verification at once, the link works once, an address another account has gets a note
// instead of a link (and the person the same answer), and an address taken meanwhile is not
// taken over.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import type { SelfService } from '../../src/domain/accounts/email-verification.js';
import { messagesFor } from '../../views/i18n/catalogue.js';
import { selfServiceMails } from '../../views/self-service/mails.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../helpers/mailbox.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PASSWORD = 'correct horse battery 42';
const MAILS = selfServiceMails(messagesFor('en'));

function verificationLink(mail: ReceivedMail): string {
  const link = mail.links.find((l) => l.includes('/verify-email?token='));
  if (!link) throw new Error(`no verification link in:\n${mail.text}`);
  return link;
}

describe.each(PROVIDERS)('email change on %s', (provider) => {
  let mailbox: Mailbox;
  let sesame: TestSesame;
  let rp: oidc.Configuration;
  let selfService: SelfService;
  let n = 0;
  const email = (prefix: string) => `${prefix}-${++n}@example.com`;

  beforeAll(async () => {
    mailbox = await startMailbox();
    sesame = await startTestSesame({ provider, env: { SMTP_URL: mailbox.url } });
    const client = await sesame.container.clients.create({ client_name: 'Notes', redirect_uris: [REDIRECT_URI] });
    rp = await discover(sesame.issuer, client.client_id, client.client_secret);
    selfService = sesame.container.selfService;
  });
  afterAll(async () => {
    await sesame?.close();
    await mailbox?.close();
  });

  const auditOf = async (target: string) => (await sesame.container.audit.list({ limit: 500 })).events.filter((e) => e.target === target);

  async function signedIn(browser: TestBrowser, credentials: { email: string; password: string }) {
    const start = await startAuthorization(rp);
    const tokens = await exchange(rp, await signIn(browser, start, credentials), start);
    return { tokens, claims: tokens.claims()! };
  }

  it('moves the account to the new address once the link sent there is opened; email_verified goes from false to true', async () => {
    const old = email('old');
    const user = await sesame.container.accounts.create({ email: old, password: PASSWORD, name: 'Grace' });
    const browser = new TestBrowser(sesame.issuer);
    const { tokens, claims } = await signedIn(browser, { email: old, password: PASSWORD });
    expect(claims).toMatchObject({ email: old, email_verified: false });
    expect(await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub)).toMatchObject({ email: old, email_verified: false });

    const wanted = email('new');
    await selfService.verification.requestEmailChange(user.id, wanted.toUpperCase(), MAILS, { actor: `user:${user.id}` });
    const mail = await mailbox.next(wanted, { since: 0 });
    expect(mail.text).toContain('change the email address of your Sesame account to this address');
    expect(mailbox.for(old)).toHaveLength(0);
    // Nothing changes before the link is opened, nor when it is only fetched (a mail scanner).
    const link = verificationLink(mail);
    const confirm = await browser.request(link);
    expect(confirm.html).toContain(wanted);
    expect(await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub)).toMatchObject({ email: old, email_verified: false });

    const done = await browser.submit(confirm, '/verify-email');
    expect(done.status).toBe(200);
    expect(done.html).toContain(`Your account's email address is now <strong>${wanted}</strong>.`);
    // At once: the cached account was dropped.
    expect(await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub)).toMatchObject({ email: wanted, email_verified: true });
    const again = await signedIn(browser, { email: wanted, password: PASSWORD });
    expect(again.claims).toMatchObject({ sub: user.id, email: wanted, email_verified: true });
    // The old address no longer signs in; the new one does.
    expect(await sesame.container.accounts.authenticate(old, PASSWORD)).toBeUndefined();
    expect(await sesame.container.accounts.authenticate(wanted, PASSWORD)).toMatchObject({ accountId: user.id });

    // Once only.
    expect((await browser.submit(confirm, '/verify-email')).status).toBe(400);
    expect((await browser.request(link)).status).toBe(400);

    const actions = (await auditOf(`user:${user.id}`)).map((e) => [e.action, e.details]);
    expect(actions).toContainEqual(['user.email_change_requested', { email: old, new_email: wanted, taken: false }]);
    expect(actions).toContainEqual(['user.email_changed', { from: old, to: wanted }]);
  });

  it('sends an address another account has a note, not a link, and tells the person nothing different', async () => {
    const user = await sesame.container.accounts.create({ email: email('mover'), password: PASSWORD });
    const other = await sesame.container.accounts.create({ email: email('owner'), password: PASSWORD, emailVerified: true });
    await expect(selfService.verification.requestEmailChange(user.id, other.email, MAILS, { actor: `user:${user.id}` })).resolves.toBeUndefined();
    const note = await mailbox.next(other.email, { since: 0 });
    expect(note.subject).toBe('Someone tried to use your email address');
    expect(note.text).not.toContain('/verify-email');
    expect((await sesame.container.accounts.get(user.id)).email).toBe(user.email);
    await selfService.verification.settled();
    const requested = (await auditOf(`user:${user.id}`)).find((e) => e.action === 'user.email_change_requested');
    expect(requested?.details).toMatchObject({ taken: true });
  });

  it('does not take over an address another account got between the mail and the click', async () => {
    const user = await sesame.container.accounts.create({ email: email('late'), password: PASSWORD });
    const wanted = email('contested');
    await selfService.verification.requestEmailChange(user.id, wanted, MAILS, { actor: `user:${user.id}` });
    const link = verificationLink(await mailbox.next(wanted, { since: 0 }));
    await sesame.container.accounts.create({ email: wanted, password: PASSWORD });
    const browser = new TestBrowser(sesame.issuer);
    const taken = await browser.submit(await browser.request(link), '/verify-email');
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('Address already in use');
    expect((await sesame.container.accounts.get(user.id)).email).toBe(user.email);
  });

  it('changes the address from the account page: a link to the new address, the same notice whoever has it', async () => {
    const user = await sesame.container.accounts.create({ email: email('page'), password: PASSWORD });
    const taken = await sesame.container.accounts.create({ email: email('page-taken'), password: PASSWORD });
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request('/account');
    let page = await browser.submit(login, '/login', { email: user.email, password: PASSWORD });
    expect(page.html).toContain('New email address');
    expect(page.html).toContain('Send a link to confirm this address');

    const confirmOwn = await browser.submit(page, '/account/verify-email');
    expect(confirmOwn.html).toContain('We sent a link to your address.');
    expect(verificationLink(await mailbox.next(user.email, { since: 0 }))).toContain('/verify-email?token=');

    const wanted = email('page-new');
    const sent = await browser.submit(confirmOwn, '/account/email', { email: wanted });
    expect(sent.status).toBe(200);
    expect(sent.html).toContain(`We sent a link to ${wanted}. Your address changes when you open it.`);
    const toTaken = await browser.submit(sent, '/account/email', { email: taken.email });
    expect(toTaken.html.replaceAll(taken.email, 'EMAIL')).toBe(sent.html.replaceAll(wanted, 'EMAIL'));
    expect((await mailbox.next(taken.email, { since: 0 })).subject).toBe('Someone tried to use your email address');
    const bad = await browser.submit(toTaken, '/account/email', { email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Enter a valid email address.');

    const link = verificationLink(await mailbox.next(wanted, { since: 0 }));
    await browser.submit(await browser.request(link), '/verify-email');
    page = await browser.request('/account');
    expect(page.html).toContain(wanted);
    expect(page.html).not.toContain('Send a link to confirm this address');
  });

  it('refuses what is not an email address, and sends a link for an own unverified address', async () => {
    const user = await sesame.container.accounts.create({ email: email('self'), password: PASSWORD });
    await expect(selfService.verification.requestEmailChange(user.id, 'not an address', MAILS, { actor: 'system' })).rejects.toBeInstanceOf(ValidationError);
    await selfService.verification.requestEmailChange(user.id, user.email, MAILS, { actor: `user:${user.id}` });
    const browser = new TestBrowser(sesame.issuer);
    const done = await browser.submit(await browser.request(verificationLink(await mailbox.next(user.email, { since: 0 }))), '/verify-email');
    expect(done.html).toContain('is confirmed');
    expect((await sesame.container.accounts.get(user.id)).emailVerified).toBe(true);
  });

  it('answers the account page before looking the new address up or issuing its link, so the time says nothing either', async () => {
    const user = await sesame.container.accounts.create({ email: email('prober'), password: PASSWORD });
    const taken = await sesame.container.accounts.create({ email: email('prober-taken'), password: PASSWORD });
    const free = email('prober-free');
    const browser = new TestBrowser(sesame.issuer);
    let page = await browser.submit(await browser.request('/account'), '/login', { email: user.email, password: PASSWORD });

    // Work only one kind of address gets (the lookup of the address, a link's row) is held until
    // the answer has arrived: a page that waited for it would never come.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = new Set([free, taken.email]);
    const { accounts, emailTokens } = sesame.container;
    const [findByEmail, issue] = [accounts.findByEmail, emailTokens.issue];
    accounts.findByEmail = async (address) => {
      if (held.has(address.toLowerCase())) await gate;
      return findByEmail(address);
    };
    emailTokens.issue = async (purpose, userId, address) => {
      if (held.has(address)) await gate;
      return issue(purpose, userId, address);
    };
    try {
      const answers: string[] = [];
      for (const wanted of [free, taken.email]) {
        const answered = browser.submit(page, '/account/email', { email: wanted });
        const timeout = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5_000));
        const outcome = await Promise.race([answered, timeout]);
        expect(outcome, `the answer for ${wanted === free ? 'a free' : 'a taken'} address waited for the lookup`).not.toBe('waited');
        page = await answered;
        expect(page.status).toBe(200);
        answers.push(page.html.replaceAll(wanted, 'EMAIL').replace(/name="csrf" value="[^"]*"/g, ''));
      }
      expect(answers[1]).toBe(answers[0]);
    } finally {
      release();
      Object.assign(accounts, { findByEmail });
      Object.assign(emailTokens, { issue });
    }
    await selfService.verification.settled();
    expect(verificationLink(await mailbox.next(free, { since: 0 }))).toContain('/verify-email?token=');
    expect((await mailbox.next(taken.email, { since: 0 })).subject).toBe('Someone tried to use your email address');
    const requested = (await auditOf(`user:${user.id}`)).filter((e) => e.action === 'user.email_change_requested').map((e) => e.details);
    expect(requested).toEqual(
      expect.arrayContaining([expect.objectContaining({ new_email: free, taken: false }), expect.objectContaining({ new_email: taken.email, taken: true })]),
    );
  });
});
