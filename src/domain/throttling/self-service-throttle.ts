// How often the self-service forms (sign-up, a new verification link, an email change) may be used,
// counted in the shared attempt store so that every instance sees the same counts:
// - per source address (IPv4, or IPv6 /64): each form use counts, and past the limit the form
//   answers 429 "Too many attempts" before any work, the same for every email typed;
// - per recipient: each mail Sesame would send counts under the address it goes to; past the
//   limit no more mails go there for a while, silently (the page says what it always says), so
//   nobody can flood a mailbox through Sesame or learn anything from the answer.
import { normalizeEmail } from '../accounts/account-service.js';
import type { AttemptStore } from '../../db/attempt-store.js';
import { AttemptThrottle } from './attempt-throttle.js';
import { addressBucket, digest } from './keys.js';

export interface SelfServiceLimits {
  /** Form uses from one address per window before it locks. */
  perAddress: number;
  /** Mails to one recipient per window. */
  mailsPerRecipient: number;
}

export const SELF_SERVICE_LIMITS: SelfServiceLimits = { perAddress: 10, mailsPerRecipient: 3 };

/** Counts start again an hour after their first use; a lock lasts 15 minutes, doubling up to a day. */
const TIMES = { failureReset: 60 * 60_000, lockout: 15 * 60_000, lockoutMax: 24 * 60 * 60_000 };

export type SelfServiceForm = 'sign-up' | 'verify-resend' | 'email-change';

const addressKey = (form: SelfServiceForm, address: string) => `${form}-address:${addressBucket(address)}`;
const recipientKey = (email: string) => `mail-recipient:${digest(normalizeEmail(email))}`;

export function createSelfServiceThrottle(store: AttemptStore, limits: SelfServiceLimits = SELF_SERVICE_LIMITS) {
  const throttle = new AttemptThrottle(store, TIMES);
  return {
    /**
     * Milliseconds before `form` may be used again from `address` (0: go ahead, and this use is
     * counted).
     */
    async use(form: SelfServiceForm, address: string): Promise<number> {
      const key = addressKey(form, address);
      const wait = await throttle.lockedFor([key]);
      if (wait > 0) return wait;
      await throttle.fail([{ key, maxFailures: limits.perAddress }]);
      return 0;
    },

    /** Whether another mail may go to `email` now; counts it when it may. */
    async mayMail(email: string): Promise<boolean> {
      // Counted first, in one atomic step: of mails being sent at once, only the first few pass.
      // The count past the limit locks the key, and every later count keeps it locked.
      const [locked = 0] = await throttle.fail([{ key: recipientKey(email), maxFailures: limits.mailsPerRecipient + 1 }]);
      return locked === 0;
    },
  };
}

export type SelfServiceThrottle = ReturnType<typeof createSelfServiceThrottle>;
