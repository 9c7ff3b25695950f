// Forgot password: a person asks for a reset link by email and chooses a new password with it.
//
// Asking answers the same whatever the email (known, unknown, disabled, throttled) and in the same
// time: the request counts against its quotas and looks the email up in every case, and anything
// that happens only for a real person (issuing the link, the mail, the audit record) runs after
// the answer, in the background. A sending failure is logged without the link.
//
// Limits, shared by every instance (the rate_limit table): at most 3 requests per email and 20 per
// source address per hour. An email over its limit gets the same answer and no mail; an address
// over its limit is told to wait (that says nothing about any email).
//
// Using the link sets the password, ends every session and grant of the person (their apps' tokens
// with them), lifts the sign-in lockout of their email, and voids their other links.
import type { Logger } from '../../logger.js';
import type { AuditRecorder, By } from '../audit/actions.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { addressBucket, digest } from '../throttling/keys.js';
import type { Quota, RequestQuota } from '../throttling/request-quota.js';
import { asEmailAddress, type AccountService, type User } from './account-service.js';
import type { EmailTokenService } from './email-tokens.js';
import { checkPassword } from './password.js';
import { linkUrl, type ComposeLinkMail } from './link-mail.js';
import { MailUnavailable, type Mailer } from '../../mail/mailer.js';
import type { Revocation } from './user-sessions.js';

export interface PasswordResetLimits {
  perEmail: Quota;
  perAddress: Quota;
}

export const PASSWORD_RESET_LIMITS: PasswordResetLimits = {
  perEmail: { limit: 3, windowMs: 3_600_000 },
  perAddress: { limit: 20, windowMs: 3_600_000 },
};

export interface PasswordResetDeps {
  accounts: Pick<AccountService, 'findByEmail' | 'findById' | 'setPasswordFromLink'>;
  emailTokens: EmailTokenService;
  mailer: Pick<Mailer, 'available' | 'send'>;
  quota: RequestQuota;
  audit: AuditRecorder;
  log: Logger;
  issuer: string;
  compose: ComposeLinkMail;
  limits?: PasswordResetLimits;
}

export interface ResetRequest {
  sourceAddress: string;
  /** The language of the page the person asked from: the mail is written in it. */
  locale?: string;
  /** The sign-in the person came from, to go back to once the password is set. */
  returnTo?: string;
}

/** `throttled`: the source address is over its limit (the only answer that differs). */
export type ResetRequestOutcome = 'accepted' | 'throttled';

const emailKey = (email: string) => `reset-email:${digest(email)}`;
const addressKey = (address: string) => `reset-address:${addressBucket(address)}`;

export function createPasswordResetService(deps: PasswordResetDeps) {
  const limits = deps.limits ?? PASSWORD_RESET_LIMITS;
  const inFlight = new Set<Promise<void>>();

  async function sendLink(user: User, request: ResetRequest, by?: By): Promise<Date> {
    const { token, expiresAt } = await deps.emailTokens.issue('password_reset', user.id, user.email);
    const url = linkUrl(deps.issuer, 'password_reset', token, request.returnTo);
    const mail = deps.compose({ purpose: 'password_reset', locale: request.locale, url, email: user.email, name: user.name, expiresAt });
    await deps.mailer.send({ to: user.email, ...mail, link: url });
    await deps.audit.record(by ?? { actor: 'anonymous', sourceAddress: request.sourceAddress }, {
      action: 'user.password_reset_requested',
      target: `user:${user.id}`,
      details: { email: user.email, expires_at: expiresAt.toISOString() },
    });
    return expiresAt;
  }

  function inBackground(work: () => Promise<unknown>, user: User): void {
    // Started on the next turn of the event loop, once the answer has been written: the work (the
    // link's row, the mail) must not delay the answer, or its timing would tell a real email.
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => {
        // Never the link: the error names the step and the person, not the token.
        deps.log.error('password reset mail not sent', {
          user: user.id,
          err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        });
      })
      .then(() => {})
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  return {
    /** False when mail is off: the pages say password reset is not available. */
    get available(): boolean {
      return deps.mailer.available;
    },

    /**
     * Asks for a reset link for `typed` (an email address). Answers before any mail is sent; the
     * answer is the same for every email, known or not.
     */
    async request(typed: string, request: ResetRequest): Promise<ResetRequestOutcome> {
      if (!(await deps.quota.take(addressKey(request.sourceAddress), limits.perAddress))) return 'throttled';
      const email = asEmailAddress(typed) ?? typed.trim().toLowerCase();
      const withinQuota = await deps.quota.take(emailKey(email), limits.perEmail);
      const user = await deps.accounts.findByEmail(email);
      if (user && !user.disabled && withinQuota && deps.mailer.available) inBackground(() => sendLink(user, request), user);
      return 'accepted';
    },

    /**
     * An admin sends a person a reset link (the console's "Send password reset link"): awaited, so
     * a mail that cannot go out is an error the admin sees; no quota applies. Returns when it expires.
     */
    async sendTo(userId: string, by: By, locale?: string): Promise<{ user: User; expiresAt: Date }> {
      if (!deps.mailer.available) throw new MailUnavailable();
      const user = await deps.accounts.findById(userId);
      if (!user) throw new NotFoundError(`no user with id ${userId}`);
      if (user.disabled) throw new ConflictError(`${user.email} is disabled; enable them first`);
      const expiresAt = await sendLink(user, { sourceAddress: by.sourceAddress ?? '', ...(locale ? { locale } : {}) }, by);
      return { user, expiresAt };
    },

    /** Who a live reset link is for (the page shows the form), without using it. */
    async peek(token: string): Promise<{ email: string } | undefined> {
      const holder = await deps.emailTokens.peek('password_reset', token);
      return holder ? { email: holder.email } : undefined;
    },

    /**
     * Sets `password` through the link: undefined when the link is not (or no longer) valid.
     * A password the rules refuse throws ValidationError and leaves the link unused.
     */
    async complete(token: string, password: string, from: { sourceAddress: string }): Promise<Revocation | undefined> {
      const holder = await deps.emailTokens.peek('password_reset', token);
      if (!holder) return undefined;
      const user = await deps.accounts.findById(holder.userId);
      if (!user || user.disabled || user.email !== holder.email) return undefined;
      // checkPassword runs inside setPasswordFromLink as well; checking before the link is used up
      // lets the person correct a refused password with the same link.
      await checkPassword(password, user);
      const used = await deps.emailTokens.consume('password_reset', token);
      if (!used) return undefined;
      const by: By = { actor: `user:${user.id}`, sourceAddress: from.sourceAddress };
      try {
        return (await deps.accounts.setPasswordFromLink(user.id, used.email, password, 'password_reset', by)).revoked;
      } catch (error) {
        // Disabled, deleted or given another email between the check above and now.
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },

    /** Waits for the mails still being sent (tests; shutdown). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
