// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). @node-rs/argon2 hashes
// on libuv's thread pool, so a sign-in never blocks the event loop; a WorkLimiter bounds how many
// hashes run at once.
import { hash, verify } from '@node-rs/argon2';
import { ValidationError } from '../errors.js';
import { WorkLimiter } from './work-limiter.js';

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, which isolatedModules cannot import)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;
/** Long enough for any passphrase, short enough that hashing it is no denial-of-service lever. */
export const MAX_PASSWORD_LENGTH = 1024;

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`, 'password');
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`, 'password');
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed hash. Throws Busy when too many hashes wait. */
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/** Hashes waiting for a turn, per running hash, and how long one may wait. */
const QUEUED_PER_SLOT = 16;
const MAX_WAIT_MS = 3000;

export function createPasswordHasher(concurrency: number): PasswordHasher {
  const limiter = new WorkLimiter(concurrency, concurrency * QUEUED_PER_SLOT, MAX_WAIT_MS);
  return {
    hash: (password) => limiter.run(() => hash(password, OPTIONS)),
    async verify(passwordHash, password) {
      if (password.length > MAX_PASSWORD_LENGTH) return false;
      return limiter.run(async () => {
        try {
          return await verify(passwordHash, password);
        } catch {
          return false;
        }
      });
    },
  };
}
