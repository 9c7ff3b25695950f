// Mail and mailed links: a real SMTP server in the test process receives what Sesame sends; the
// single-use links are checked against a real database (SQLite and PostgreSQL).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailTokenRepository } from '../../src/db/email-token-repository.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createEmailTokenService } from '../../src/domain/accounts/email-tokens.js';
import { createMailer, MailUnavailable } from '../../src/mail/mailer.js';
import { messagesFor } from '../../views/i18n/catalogue.js';
import { renderMail } from '../../views/mail/template.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { startMailbox, type Mailbox } from '../helpers/mailbox.js';
import { createLogger, silentLogger } from '../../src/logger.js';

const CONTENT = {
  subject: 'Reset your <password>',
  intro: ['Someone asked to reset the password of "ada@example.com" & friends.'],
  action: { label: 'Choose a new password', url: 'https://id.example.com/reset-password?token=abc&x=<y>' },
  outro: ['The link works for 30 minutes.'],
};

describe('sending mail', () => {
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox();
  });
  afterAll(async () => mailbox?.close());

  it('sends one mail with a plain-text and an HTML part from one template, through SMTP with credentials', async () => {
    const mailer = createMailer({ transport: { kind: 'smtp', url: mailbox.url }, from: 'Sesame <no-reply@id.example.com>' }, silentLogger);
    try {
      expect(mailer.available).toBe(true);
      expect(mailer.description).not.toContain('mailbox-password');
      await mailer.send({ to: 'Ada@Example.com', ...renderMail(messagesFor('en'), CONTENT) });
      const mail = await mailbox.next('ada@example.com', { since: 0 });
      expect(mail.parsed.from?.value[0]).toMatchObject({ name: 'Sesame', address: 'no-reply@id.example.com' });
      expect(mail.subject).toBe('Reset your <password>');
      expect(mail.text).toContain('Choose a new password:\nhttps://id.example.com/reset-password?token=abc&x=<y>');
      expect(mail.text).toContain('"ada@example.com" & friends');
      // The same words in the HTML part, escaped.
      expect(mail.html).toContain('&quot;ada@example.com&quot; &amp; friends');
      expect(mail.html).toContain('href="https://id.example.com/reset-password?token=abc&amp;x=&lt;y&gt;"');
      expect(mail.html).not.toContain('<y>');
    } finally {
      mailer.close();
    }
  });

  it('writes a mail to the outbox as an .eml file and logs its link, when there is no SMTP_URL (development)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sesame-outbox-')), 'outbox');
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    try {
      const mailer = createMailer({ transport: { kind: 'outbox', dir }, from: 'no-reply@localhost' }, logger);
      await mailer.send({ to: 'ada@example.com', ...renderMail(messagesFor('de'), CONTENT), link: CONTENT.action.url });
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      const eml = readFileSync(join(dir, files[0]!), 'utf8');
      expect(eml).toContain('To: ada@example.com');
      expect(eml).toMatch(/Content-Type: text\/plain/);
      expect(eml).toMatch(/Content-Type: text\/html/);
      expect(lines.find((line) => line.msg === 'mail written to the outbox')).toMatchObject({ link: CONTENT.action.url, to: 'ada@example.com' });
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('refuses to send when mail is off (production without SMTP_URL), saying how to turn it on', async () => {
    const mailer = createMailer({ transport: { kind: 'off' }, from: 'no-reply@localhost' }, silentLogger);
    expect(mailer.available).toBe(false);
    await expect(mailer.send({ to: 'ada@example.com', subject: 's', text: 't', html: 'h' })).rejects.toBeInstanceOf(MailUnavailable);
    await expect(mailer.send({ to: 'ada@example.com', subject: 's', text: 't', html: 'h' })).rejects.toThrow(/SMTP_URL/);
  });
});

describe.each(PROVIDERS)('mailed links on %s', (provider) => {
  let testDb: TestDatabase;
  let db: Database;
  let clock = new Date('2026-12-02T10:00:00Z');
  let tokens: ReturnType<typeof createEmailTokenService>;

  beforeAll(async () => {
    testDb = await createTestDatabase(provider);
    db = await openDatabase(testDb.config);
    tokens = createEmailTokenService(createEmailTokenRepository(db.prisma), () => clock);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('works once, and keeps only a digest of the token at rest', async () => {
    const { token, expiresAt } = await tokens.issue('password_reset', 'user-1', 'ada@example.com');
    expect(expiresAt.getTime() - clock.getTime()).toBe(30 * 60_000);
    const rows = await db.prisma.emailToken.findMany();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await tokens.peek('password_reset', token)).toMatchObject({ userId: 'user-1', email: 'ada@example.com' });
    expect(await tokens.consume('invitation', token)).toBeUndefined();
    expect(await tokens.consume('password_reset', token)).toMatchObject({ userId: 'user-1' });
    expect(await tokens.consume('password_reset', token)).toBeUndefined();
    expect(await tokens.peek('password_reset', token)).toBeUndefined();
  });

  it('lets exactly one of many simultaneous uses through', async () => {
    const { token } = await tokens.issue('invitation', 'user-2', 'bob@example.com');
    const uses = await Promise.all(Array.from({ length: 8 }, () => tokens.consume('invitation', token)));
    expect(uses.filter(Boolean)).toHaveLength(1);
  });

  it('voids an older link when a newer one of the same purpose is sent, but not others', async () => {
    const first = await tokens.issue('password_reset', 'user-3', 'cy@example.com');
    const verification = await tokens.issue('email_verification', 'user-3', 'cy@example.com');
    const second = await tokens.issue('password_reset', 'user-3', 'cy@example.com');
    expect(await tokens.peek('password_reset', first.token)).toBeUndefined();
    expect(await tokens.peek('password_reset', second.token)).toBeDefined();
    expect(await tokens.peek('email_verification', verification.token)).toBeDefined();
    expect(await tokens.voidFor('user-3')).toBe(2);
    expect(await tokens.peek('password_reset', second.token)).toBeUndefined();
  });

  it('expires: a link is refused after its lifetime, and the sweeper removes it', async () => {
    const { token } = await tokens.issue('password_reset', 'user-4', 'di@example.com');
    clock = new Date(clock.getTime() + 30 * 60_000);
    expect(await tokens.consume('password_reset', token)).toBeUndefined();
    expect(await tokens.deleteExpired(clock)).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.emailToken.count({ where: { userId: 'user-4' } })).toBe(0);
  });

  it('costs no query for something that is not a token', async () => {
    expect(await tokens.consume('password_reset', "' OR 1=1 --")).toBeUndefined();
    expect(await tokens.peek('password_reset', '')).toBeUndefined();
  });
});
