// Throttled secret checks other than the sign-in form: client authentication at the token,
// introspection and revocation endpoints, bearer tokens for the admin API and /metrics, and
// initial or registration access tokens at /reg. These paths are hot, so the gate in front of them
// asks only this instance's memory (AttemptThrottle.lockedHere); failures go to the shared store.
//
// Client authentication counts per client_id *and address*, not per client_id alone: a lock on a
// client_id would let anyone who knows it lock the real client out, while a client secret (256
// random bits) cannot be guessed whatever the rate. Every failure also counts for its address.
import type { AttemptThrottle } from './attempt-throttle.js';
import { addressBucket, digest } from './keys.js';

export interface SecretLimits {
  /** Failed client authentications for one client_id from one address before that pair locks. */
  clientMaxFailures: number;
  /** Failed secret checks from one address before it locks. */
  maxFailuresPerAddress: number;
}

const addressKey = (address: string) => `secret-address:${addressBucket(address)}`;
const clientKey = (clientId: string, address: string) => `secret-client:${digest(clientId)}:${addressBucket(address)}`;

export function createSecretThrottle(throttle: AttemptThrottle, limits: SecretLimits) {
  // Failures reported by the provider's events are counted after its response went out; the
  // next request from that address waits for them, so a lock is never a request late here.
  const counting = new Map<string, Promise<unknown>>();

  return {
    /** Resolves once every failure reported for this address has been counted. */
    async counted(address: string): Promise<void> {
      await counting.get(addressKey(address));
    },

    /** Milliseconds this address must wait, as far as this instance knows (no I/O). */
    addressLockedFor(address: string): number {
      return throttle.lockedHere([addressKey(address)]);
    },

    /** Milliseconds this client must wait from this address, as far as this instance knows (no I/O). */
    clientLockedFor(clientId: string, address: string): number {
      return throttle.lockedHere([clientKey(clientId, address), addressKey(address)]);
    },

    /** A failed check from this address: a wrong token, an unknown client. */
    async addressFailed(address: string): Promise<void> {
      const key = addressKey(address);
      const done = (counting.get(key) ?? Promise.resolve()).catch(() => {}).then(() => throttle.fail([{ key, maxFailures: limits.maxFailuresPerAddress }]));
      counting.set(key, done);
      try {
        await done;
      } finally {
        if (counting.get(key) === done) counting.delete(key);
      }
    },

    /** A wrong secret for this client from this address (the address's failure is counted apart). */
    async clientFailed(clientId: string, address: string): Promise<void> {
      await throttle.fail([{ key: clientKey(clientId, address), maxFailures: limits.clientMaxFailures }]);
    },
  };
}

export type SecretThrottle = ReturnType<typeof createSecretThrottle>;
