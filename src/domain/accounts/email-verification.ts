// Verifying a person's email address with a mailed link (purpose email_verification, two days,
// single use, hashed at rest: email-tokens.ts). The link's row holds the address it was sent to,
// so one kind of link serves three cases:
// - a sign-up: the account waits (cannot sign in) until its address is verified;
// - an existing account whose address is unverified (admin-created): a new link on request;
// - an email change: the link goes to the NEW address, and opening it makes that address the
//   account's (if no other account took it meanwhile), verified.
// Opening the link marks the address verified; the `email_verified` claim follows at once (the
// account service drops its cached account on every instance).
//
// Nothing here tells a stranger whether an address has an account: a new link asked for an address
// without an unverified account sends nothing, and an email change to an address another account
// has sends that address a note instead of a link; the person sees the same answer either way.
// Mails go out in the background: the answer never waits for (or depends on) the mail server.
// Whatever depends on whether an address has an account (its lookup, a link's row, the audit
// record) runs after the answer too, so the answer's time cannot tell either.
import type { Mailer } from '../../mail/mailer.js';
import type { Logger } from '../../logger.js';
import { type By } from '../audit/actions.js';
import type { AuditRecorder } from '../audit/actions.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { SelfServiceThrottle } from '../throttling/self-service-throttle.js';
import { asEmailAddress, type AccountService, type User } from './account-service.js';
import type { EmailTokenService } from './email-tokens.js';

/** A mail's words, in the language of the page it was asked from (views/self-service/mails.ts). */
export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

export type VerificationReason = 'sign-up' | 'resend' | 'email-change';

export interface SelfServiceMailWriter {
  /** The link that verifies an address: after a sign-up, on request, or for an email change. */
  verification(reason: VerificationReason, link: string, name: string | null): ComposedMail;
  /** To an address that has an account: someone tried to sign up with it. */
  signUpExisting(resendLink: string): ComposedMail;
  /** To an address that has an account: someone asked to move another account to it. */
  emailTaken(): ComposedMail;
}

export interface EmailVerificationDeps {
  accounts: Pick<AccountService, 'findById' | 'findByEmail' | 'verifyEmail'>;
  tokens: EmailTokenService;
  mailer: Pick<Mailer, 'send'>;
  throttle: SelfServiceThrottle;
  audit: AuditRecorder;
  /** Where the links point: the issuer's URL. */
  issuer: string;
  log: Logger;
}

/** What opening a link came to. */
export type Confirmation =
  | { outcome: 'verified'; user: User; changedFrom?: string }
  /** Unknown, expired, already used, or the account is gone. */
  | { outcome: 'invalid' }
  /** An email change whose new address another account took meanwhile. */
  | { outcome: 'taken'; email: string };

/** An interaction uid as oidc-provider makes them (nanoid), carried in a link so the person can go on signing in. */
const INTERACTION_UID = /^[A-Za-z0-9_-]{10,64}$/;

export const isInteractionUid = (value: unknown): value is string => typeof value === 'string' && INTERACTION_UID.test(value);

export function createEmailVerification(deps: EmailVerificationDeps) {
  const { accounts, tokens, throttle, audit, log } = deps;
  const url = (path: string) => new URL(path, deps.issuer).toString();
  const inFlight = new Set<Promise<void>>();

  /** Runs `work` on a later turn of the event loop, once the answer is written; a failure is logged. */
  function afterAnswer(what: string, work: () => Promise<void>): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => log.error(what, { err: error }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  /** Sends a mail without waiting for it: the answer takes as long whether a mail goes or not. */
  function deliver(to: string, mail: ComposedMail, link?: string): void {
    const task = (async () => {
      // Per recipient: past the limit the mail is dropped, silently.
      if (!(await throttle.mayMail(to))) {
        log.info('mail not sent: too many mails to this address lately', { subject: mail.subject });
        return;
      }
      await deps.mailer.send({ to, ...mail, ...(link ? { link } : {}) });
    })()
      .catch((error: unknown) => log.warn('mail could not be sent', { err: error, subject: mail.subject }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  /** Issues a link for `user` to verify `email` and mails it there. */
  async function sendLink(user: Pick<User, 'id' | 'name'>, email: string, reason: VerificationReason, mails: SelfServiceMailWriter, interaction?: string) {
    const { token } = await tokens.issue('email_verification', user.id, email);
    const link = new URL('/verify-email', deps.issuer);
    link.searchParams.set('token', token);
    if (isInteractionUid(interaction)) link.searchParams.set('interaction', interaction);
    deliver(email, mails.verification(reason, link.toString(), user.name), link.toString());
  }

  return {
    sendLink,
    deliver,
    /** The page that sends a new link (linked from mails and pages). */
    resendUrl: (interaction?: string) => url(`/verify-email/resend${isInteractionUid(interaction) ? `?interaction=${interaction}` : ''}`),

    /**
     * Sends a new link to `email` when an account there waits for its address to be verified;
     * nothing otherwise. The caller answers the same either way.
     */
    resend(email: string, mails: SelfServiceMailWriter, by: By, interaction?: string): void {
      // All in the background, once the answer is written: it cannot take longer for an address with an account.
      afterAnswer('a new verification link could not be sent', async () => {
        const address = asEmailAddress(email);
        const user = address ? await accounts.findByEmail(address) : undefined;
        if (!user || user.emailVerified) return;
        await sendLink(user, user.email, 'resend', mails, interaction);
        await audit.record(by, { action: 'user.verification_resent', target: `user:${user.id}`, details: { email: user.email } });
      });
    },

    /**
     * A person asks to change their address to `newEmail`: the link goes to the new address, and
     * the change happens when it is opened. Throws ValidationError for what is not an address;
     * otherwise the person is told "we sent a link to the new address" whatever happened: when
     * another account has that address, its owner gets a note instead (no link). Returns before
     * the address is looked up: the note or link, and the audit record, follow after the answer.
     */
    async requestEmailChange(userId: string, newEmail: string, mails: SelfServiceMailWriter, by: By): Promise<void> {
      const email = asEmailAddress(newEmail);
      if (!email) throw new ValidationError('not a valid email address', 'email');
      const user = await accounts.findById(userId);
      if (!user) throw new NotFoundError(`no user with id ${userId}`);
      if (email === user.email) {
        // Their own address: a link only if it still needs verifying.
        if (!user.emailVerified) await sendLink(user, email, 'resend', mails);
        return;
      }
      // A link's row is written only for a free address: awaited here, it would make that answer
      // slower than one for an address another account has.
      afterAnswer('an email change could not be requested', async () => {
        const holder = await accounts.findByEmail(email);
        if (holder) deliver(email, mails.emailTaken());
        else await sendLink(user, email, 'email-change', mails);
        await audit.record(by, {
          action: 'user.email_change_requested',
          target: `user:${user.id}`,
          details: { email: user.email, new_email: email, taken: holder !== undefined },
        });
      });
    },

    /** Who a link is for and the address it verifies, without using it (the page before the button). */
    async peek(token: string): Promise<{ email: string; user: User } | undefined> {
      const holder = await tokens.peek('email_verification', token);
      const user = holder && (await accounts.findById(holder.userId));
      return holder && user ? { email: holder.email, user } : undefined;
    },

    /** Uses the link: the address it was sent to becomes the account's, verified. */
    async confirm(token: string, by: (userId: string) => By): Promise<Confirmation> {
      const holder = await tokens.consume('email_verification', token);
      if (!holder) return { outcome: 'invalid' };
      try {
        const { user, changedFrom } = await accounts.verifyEmail(holder.userId, holder.email, by(holder.userId));
        return { outcome: 'verified', user, ...(changedFrom ? { changedFrom } : {}) };
      } catch (error) {
        if (error instanceof ConflictError) return { outcome: 'taken', email: holder.email };
        if (error instanceof NotFoundError) return { outcome: 'invalid' };
        throw error;
      }
    },

    /** Resolves when the work begun after an answer (lookups, links, audit records) has finished (tests; shutdown). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

export type EmailVerification = ReturnType<typeof createEmailVerification>;

/** Email verification with the throttle its forms and mails share (sign-up, resend, email change). */
export interface SelfService {
  verification: EmailVerification;
  throttle: SelfServiceThrottle;
}
