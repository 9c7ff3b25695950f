// Invitations: an admin adds a person without a password (CLI `sesame users invite`, the admin API,
// the console), and Sesame mails them a link, valid 7 days, to choose one. Until they do they
// cannot sign in. Accepting sets the password and marks the email verified (the link reached
// them there). Sending again voids the older link; so does any password being set.
import type { Logger } from '../../logger.js';
import { MailUnavailable, type Mailer } from '../../mail/mailer.js';
import type { AuditRecorder, By } from '../audit/actions.js';
import { SYSTEM } from '../audit/actions.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AccountService, User } from './account-service.js';
import type { EmailTokenService } from './email-tokens.js';
import { linkUrl, type ComposeLinkMail } from './link-mail.js';
import { checkPassword } from './password.js';

export interface InvitationDeps {
  accounts: Pick<AccountService, 'invite' | 'findByEmail' | 'findById' | 'hasPassword' | 'setPasswordFromLink'>;
  emailTokens: EmailTokenService;
  mailer: Pick<Mailer, 'available' | 'send'>;
  audit: AuditRecorder;
  log: Logger;
  issuer: string;
  compose: ComposeLinkMail;
}

export interface InvitationInput {
  email: string;
  name?: string;
  isAdmin?: boolean;
  /** The language of the mail (en, de); English when absent or unknown. */
  locale?: string;
}

export interface SentInvitation {
  user: User;
  expiresAt: Date;
  /** True when the person already existed without a password and got a new link. */
  resent: boolean;
}

/** The person was created (or exists) but the mail did not go out: send the invitation again. */
export class InvitationNotSent extends Error {
  override name = 'InvitationNotSent';
  constructor(readonly user: User) {
    super(`the invitation mail to ${user.email} could not be sent; the person exists without a password: send the invitation again`);
  }
}

export function createInvitationService(deps: InvitationDeps) {
  async function send(user: User, locale: string | undefined, by: By): Promise<Date> {
    const { token, expiresAt } = await deps.emailTokens.issue('invitation', user.id, user.email);
    const url = linkUrl(deps.issuer, 'invitation', token);
    const mail = deps.compose({ purpose: 'invitation', locale, url, email: user.email, name: user.name, expiresAt });
    try {
      await deps.mailer.send({ to: user.email, ...mail, link: url });
    } catch (error) {
      await deps.emailTokens.voidFor(user.id, ['invitation']);
      deps.log.error('invitation mail not sent', { user: user.id, err: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
      throw new InvitationNotSent(user);
    }
    await deps.audit.record(by, {
      action: 'user.invitation_sent',
      target: `user:${user.id}`,
      details: { email: user.email, expires_at: expiresAt.toISOString() },
    });
    return expiresAt;
  }

  function requireMail(): void {
    if (!deps.mailer.available) throw new MailUnavailable();
  }

  /** Sends a new invitation to a person who has not chosen a password yet (voiding the older link). */
  async function resend(userId: string, by: By = SYSTEM, locale?: string): Promise<SentInvitation> {
    requireMail();
    const user = await deps.accounts.findById(userId);
    if (!user) throw new NotFoundError(`no user with id ${userId}`);
    if (await deps.accounts.hasPassword(user.id)) {
      throw new ConflictError(`${user.email} has already chosen a password; they can use "Forgot password?" on the sign-in page`);
    }
    if (user.disabled) throw new ConflictError(`${user.email} is disabled; enable them before inviting them again`);
    return { user, expiresAt: await send(user, locale, by), resent: true };
  }

  return {
    /** Whether invitations can be sent at all (mail is on). */
    get available(): boolean {
      return deps.mailer.available;
    },

    /**
     * Creates a person without a password and mails them their invitation. With `resendIfPending`,
     * an email that belongs to someone still invited gets a new link instead of a conflict.
     */
    async invite(input: InvitationInput, by: By = SYSTEM, options: { resendIfPending?: boolean } = {}): Promise<SentInvitation> {
      requireMail();
      if (options.resendIfPending) {
        const existing = await deps.accounts.findByEmail(input.email);
        // resend() says it when they already chose a password.
        if (existing) return resend(existing.id, by, input.locale);
      }
      const user = await deps.accounts.invite(
        { email: input.email, ...(input.name !== undefined ? { name: input.name } : {}), ...(input.isAdmin !== undefined ? { isAdmin: input.isAdmin } : {}) },
        by,
      );
      return { user, expiresAt: await send(user, input.locale, by), resent: false };
    },

    resend,

    /** Who a live invitation is for (the page shows the form), without using it. */
    async peek(token: string): Promise<{ email: string } | undefined> {
      const holder = await deps.emailTokens.peek('invitation', token);
      return holder ? { email: holder.email } : undefined;
    },

    /**
     * Sets the invited person's password: the user, or undefined when the link is not (or no
     * longer) valid. A password the rules refuse throws ValidationError and leaves the link unused.
     */
    async accept(token: string, password: string, from: { sourceAddress: string }): Promise<User | undefined> {
      const holder = await deps.emailTokens.peek('invitation', token);
      if (!holder) return undefined;
      const user = await deps.accounts.findById(holder.userId);
      if (!user) return undefined;
      await checkPassword(password, user);
      const used = await deps.emailTokens.consume('invitation', token);
      if (!used) return undefined;
      try {
        const by: By = { actor: `user:${used.userId}`, sourceAddress: from.sourceAddress };
        return (await deps.accounts.setPasswordFromLink(used.userId, used.email, password, 'invitation', by)).user;
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
  };
}

export type InvitationService = ReturnType<typeof createInvitationService>;
