// How a mail leaves Sesame: through SMTP (nodemailer) when SMTP_URL is set; in development without
// it, as an .eml file in ./data/outbox/ with its link in the log, so the flows can be tried with no
// mail server; in production without it, not at all (the features that need mail say so).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config.js';
import type { Logger } from '../logger.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The link the mail carries: logged in outbox mode (development only), never otherwise. */
  link?: string;
}

export class MailUnavailable extends Error {
  override name = 'MailUnavailable';
  constructor() {
    super('mail is off: set SMTP_URL to send password reset, invitation and verification mails');
  }
}

export interface Mailer {
  /** False when mails cannot be sent (production without SMTP_URL). */
  readonly available: boolean;
  /** One line for the start-up log: where mails go (never the SMTP credentials). */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Seconds an SMTP server gets to connect, greet and answer before a send fails. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

export function createMailer(config: MailConfig, log: Logger): Mailer {
  const { transport } = config;
  if (transport.kind === 'off') {
    return {
      available: false,
      description: 'mail is off (SMTP_URL is not set): password reset, invitations, email verification and sign-up are unavailable',
      send: () => Promise.reject(new MailUnavailable()),
      close() {},
    };
  }
  if (transport.kind === 'outbox') {
    const writer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return {
      available: true,
      description: `mails are written to ${transport.dir} (SMTP_URL is not set; development only)`,
      async send(mail) {
        const info = await writer.sendMail({ from: config.from, ...mailFields(mail) });
        await mkdir(transport.dir, { recursive: true, mode: 0o700 });
        const file = join(transport.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
        await writeFile(file, info.message as Buffer, { mode: 0o600 });
        // Development only (production never uses the outbox): the link is what a developer needs.
        log.info('mail written to the outbox', { file, to: mail.to, subject: mail.subject, ...(mail.link ? { link: mail.link } : {}) });
      },
      close() {},
    };
  }
  const url = new URL(transport.url);
  const smtp = nodemailer.createTransport({ url: transport.url, ...SMTP_TIMEOUTS });
  return {
    available: true,
    description: `mails are sent through ${url.protocol}//${url.hostname}${url.port ? `:${url.port}` : ''}`,
    async send(mail) {
      await smtp.sendMail({ from: config.from, ...mailFields(mail) });
    },
    close() {
      smtp.close();
    },
  };
}

function mailFields({ to, subject, text, html }: OutgoingMail) {
  return { to, subject, text, html };
}
