// Throttled sign-in: failures count per account and per source address, and either lock refuses
// the next attempts before any password is checked (so a locked form costs no argon2id hash). An
// account is whatever email was typed, known or not, so a lockout looks the same either way and
// says nothing about who has an account; a lockout never touches other accounts or addresses.
import { normalizeEmail } from '../accounts/account-service.js';
import type { AttemptThrottle } from './attempt-throttle.js';
import { addressBucket, digest } from './keys.js';

export interface SignInLimits {
  /** Failures for one account before it locks. */
  maxFailures: number;
  /** Failures from one address, whatever the account, before it locks. */
  maxFailuresPerAddress: number;
}

export interface FailureOutcome {
  /** Milliseconds the account is now locked for (0: not locked). */
  accountLockedFor: number;
  /** Milliseconds the address is now locked for (0: not locked). */
  addressLockedFor: number;
}

const accountKey = (email: string) => `login-account:${digest(normalizeEmail(email))}`;
const addressKey = (address: string) => `login-address:${addressBucket(address)}`;

export function createSignInThrottle(throttle: AttemptThrottle, limits: SignInLimits) {
  return {
    /** Milliseconds before this email may be tried from this address (0: now). */
    waitFor(email: string, address: string): Promise<number> {
      return throttle.lockedFor([accountKey(email), addressKey(address)]);
    },

    /** waitFor, when a password check follows: the same read brings the person with this email (accounts.authenticate). */
    waitBeforePassword(email: string, address: string): Promise<number> {
      return throttle.lockedFor([accountKey(email), addressKey(address)], { personEmail: normalizeEmail(email) });
    },

    async failed(email: string, address: string): Promise<FailureOutcome> {
      const [accountLockedFor = 0, addressLockedFor = 0] = await throttle.fail([
        { key: accountKey(email), maxFailures: limits.maxFailures },
        { key: addressKey(address), maxFailures: limits.maxFailuresPerAddress },
      ]);
      return { accountLockedFor, addressLockedFor };
    },

    /** Milliseconds before anything may be tried from this address (a passkey names no account up front). */
    waitForAddress(address: string): Promise<number> {
      return throttle.lockedFor([addressKey(address)]);
    },

    /** A refused passkey: counted with the address's failed passwords. */
    async failedFromAddress(address: string): Promise<number> {
      const [addressLockedFor = 0] = await throttle.fail([{ key: addressKey(address), maxFailures: limits.maxFailuresPerAddress }]);
      return addressLockedFor;
    },

    /** A correct password ends the account's run of failures (the address keeps its count). */
    succeeded(email: string): Promise<void> {
      return throttle.clearAfterCheck([accountKey(email)]);
    },

    /** Milliseconds the account stays locked (0: not locked). */
    accountLockedFor(email: string): Promise<number> {
      return throttle.lockedFor([accountKey(email)]);
    },

    /** Lifts an account's lockout and forgets its failures (an admin's unlock). */
    unlock(email: string): Promise<void> {
      return throttle.clear([accountKey(email)]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
