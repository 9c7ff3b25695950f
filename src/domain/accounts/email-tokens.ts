// The single-use links Sesame mails: a reset link (30 minutes), an invitation (7 days), an email
// verification link. The token (32 random bytes) exists only in the mail; the store keeps its
// SHA-256, so a copied database yields no working link. A link works once: using it deletes its
// row, and of two uses at once only the one whose delete removed the row goes on. Sending a newer
// link of the same purpose voids the older ones; so does a password change (voidFor).
import { createHash, randomBytes } from 'node:crypto';
import type { EmailTokenRecord, EmailTokenRepository } from '../../db/email-token-repository.js';

export const EMAIL_TOKEN_PURPOSES = ['password_reset', 'invitation', 'email_verification'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/** How long each kind of link works. */
export const EMAIL_TOKEN_LIFETIMES: Record<EmailTokenPurpose, number> = {
  password_reset: 30 * 60_000,
  invitation: 7 * 86_400_000,
  email_verification: 2 * 86_400_000,
};

export interface EmailTokenHolder {
  userId: string;
  /** The address the link was sent to. */
  email: string;
  expiresAt: Date;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
/** 32 bytes in base64url; anything else is no token of ours and costs no query. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const holder = ({ userId, email, expiresAt }: EmailTokenRecord): EmailTokenHolder => ({ userId, email, expiresAt });

export function createEmailTokenService(repo: EmailTokenRepository, now: () => Date = () => new Date()) {
  return {
    /** A new link's token for `userId` at `email`, voiding their older ones of this purpose. */
    async issue(purpose: EmailTokenPurpose, userId: string, email: string): Promise<{ token: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const at = now();
      const expiresAt = new Date(at.getTime() + EMAIL_TOKEN_LIFETIMES[purpose]);
      await repo.replace({ id: digest(token), purpose, userId, email, expiresAt }, at);
      return { token, expiresAt };
    },

    /** Who a live link is for, without using it up (to show the page the link opens). */
    async peek(purpose: EmailTokenPurpose, token: string): Promise<EmailTokenHolder | undefined> {
      if (!TOKEN.test(token)) return undefined;
      const record = await repo.find(digest(token), purpose, now());
      return record ? holder(record) : undefined;
    },

    /**
     * Uses the link up: who it was for, or undefined when it is unknown, expired, voided or
     * already used (including by a request racing this one).
     */
    async consume(purpose: EmailTokenPurpose, token: string): Promise<EmailTokenHolder | undefined> {
      if (!TOKEN.test(token)) return undefined;
      const id = digest(token);
      const record = await repo.find(id, purpose, now());
      if (!record || !(await repo.take(id))) return undefined;
      return holder(record);
    },

    /** Voids a person's links of these purposes (their password changed, they were deleted). */
    voidFor(userId: string, purposes: readonly EmailTokenPurpose[] = EMAIL_TOKEN_PURPOSES): Promise<number> {
      return repo.deleteForUser(userId, purposes);
    },

    deleteExpired: (at: Date) => repo.deleteExpired(at),
  };
}

export type EmailTokenService = ReturnType<typeof createEmailTokenService>;
