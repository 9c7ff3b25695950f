// A real SMTP server in the test process (smtp-server), with what arrives parsed by mailparser:
// tests point SMTP_URL at it and read the mails Sesame sent, links included.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Every http(s) link in the plain-text part, in order. */
  links: string[];
  /** Which MIME parts the mail had (text/plain, text/html). */
  parsed: ParsedMail;
}

export interface Mailbox {
  /** SMTP_URL for Sesame: smtp://user:password@127.0.0.1:port (the server checks these credentials). */
  url: string;
  received: ReceivedMail[];
  /** The next mail to `to` that arrives after `since` mails already received (default: any new one). */
  next(to: string, options?: { timeoutMs?: number; since?: number }): Promise<ReceivedMail>;
  /** Mails received for `to` so far. */
  for(to: string): ReceivedMail[];
  close(): Promise<void>;
}

export const MAILBOX_USER = 'sesame';
export const MAILBOX_PASSWORD = 'mailbox-password-0123';

export async function startMailbox(): Promise<Mailbox> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === MAILBOX_USER && auth.password === MAILBOX_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const text = parsed.text ?? '';
          received.push({
            from: parsed.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : '',
            links: text.match(/https?:\/\/[^\s<>"]+/g) ?? [],
            parsed,
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const forAddress = (to: string) => received.filter((mail) => mail.to.includes(to.toLowerCase()));
  return {
    url: `smtp://${MAILBOX_USER}:${MAILBOX_PASSWORD}@127.0.0.1:${port}`,
    received,
    for: forAddress,
    async next(to, { timeoutMs = 10_000, since } = {}) {
      const start = since ?? forAddress(to).length;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mails = forAddress(to);
        if (mails.length > start) return mails[start]!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms (${received.length} received in all)`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
