// Passwords: the rule every new password must pass (NIST SP 800-63B 3.1.1.2), and argon2id.
//
// The rule, in one place (the CLI, the admin API, the console, the account page and every later
// way to set a password call checkPassword):
// - at least 10 and at most 256 characters (any characters, spaces included, counted as code
//   points); no composition rules (no "one digit, one symbol"), no expiry;
// - not the person's own email address or name, nor containing them (the whole address, the
//   whole name; their parts count against the estimate below);
// - not common or easily guessed: zxcvbn (@zxcvbn-ts/core) with the common-password and diceware
//   dictionaries and keyboard patterns of @zxcvbn-ts/language-common must estimate at least 10^8
//   guesses (score 3 of 4) from its first 64 characters, the person's email and name counting as
//   known words. The dictionaries
//   ship inside the npm package (no network), weigh about 2 MB and take ~100 ms to load, so they
//   are loaded once, on the first check, not at start-up.
// A refusal is a PasswordRuleError naming the one rule that failed, so a page can say it in the
// reader's language; its message (English) is what the CLI and the admin API show.
//
// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). @node-rs/argon2 hashes
// on libuv's thread pool, so a sign-in never blocks the event loop; a WorkLimiter bounds how many
// hashes run at once.
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ValidationError } from '../errors.js';
import { WorkLimiter } from './work-limiter.js';

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum, which isolatedModules cannot import)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase, short enough that checking and hashing it costs little. */
export const MAX_PASSWORD_LENGTH = 256;
/**
 * Longest password ever compared at sign-in: the limit before this rule, so a password set then
 * keeps working; anything longer is refused unhashed (no denial-of-service lever).
 */
export const MAX_VERIFIED_LENGTH = 1024;
/** zxcvbn's score (0-4) a new password must reach: 3 is "safely unguessable", >= 10^8 guesses. */
export const MIN_SCORE = 3;
/**
 * Characters the estimator looks at: its cost grows fast with length (~300 ms for 256 characters,
 * on the event loop), and a password whose first 64 characters are hard to guess is hard to guess.
 */
const ESTIMATED_LENGTH = 64;
/** A name shorter than this is only a hint for the estimator, not refused inside a password. */
const MIN_REFUSED_NAME = 4;

export type PasswordRule = 'too_short' | 'too_long' | 'personal' | 'too_common';

export class PasswordRuleError extends ValidationError {
  constructor(
    message: string,
    readonly rule: PasswordRule,
  ) {
    super(message, 'password');
  }
}

/** What the person is known by: a password must not be or contain it. */
export interface PersonalInputs {
  email?: string | null | undefined;
  name?: string | null | undefined;
}

let estimator: Promise<ZxcvbnFactory> | undefined;

/** The zxcvbn estimator with the common dictionaries, loaded on first use (once per process). */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  })();
  estimator.catch(() => (estimator = undefined));
  return estimator;
}

const fold = (value: string) => value.normalize('NFKC').toLowerCase();

/**
 * What a password must not be or contain: the whole email address and the whole name (spaces
 * ignored). Their parts (the email's local part, each word of the name) are user inputs for the
 * estimator: they make a password that leans on them score lower, without refusing outright a
 * password that merely shares a word with them.
 */
function personal({ email, name }: PersonalInputs): { refused: string[]; hints: string[] } {
  const refused = new Set<string>();
  const hints = new Set<string>();
  if (email?.trim()) {
    const address = fold(email.trim());
    refused.add(address);
    const local = address.split('@')[0]!;
    hints.add(local);
    for (const part of local.split(/[._+-]+/)) hints.add(part);
  }
  if (name?.trim()) {
    const full = fold(name.trim()).replace(/\s+/g, ' ');
    if (full.replace(/\s/g, '').length >= MIN_REFUSED_NAME) refused.add(full);
    for (const part of full.split(' ')) hints.add(part);
  }
  return { refused: [...refused], hints: [...new Set([...refused, ...hints])].filter(Boolean) };
}

/**
 * Refuses a new password that breaks the rule (above), with a PasswordRuleError naming the rule.
 * `person`: the email and name of whoever the password is for (when known).
 */
export async function checkPassword(password: string, person: PersonalInputs = {}): Promise<void> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new PasswordRuleError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`, 'too_short');
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new PasswordRuleError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`, 'too_long');
  }
  const { refused, hints } = personal(person);
  const folded = fold(password);
  const compact = folded.replace(/\s+/g, '');
  if (refused.some((text) => folded.includes(text) || compact.includes(text.replace(/\s/g, '')))) {
    throw new PasswordRuleError('password must not be or contain your email address or name', 'personal');
  }
  const { score } = (await loadEstimator()).check([...password].slice(0, ESTIMATED_LENGTH).join(''), hints);
  if (score < MIN_SCORE) {
    throw new PasswordRuleError('this password is too common or easy to guess; choose another', 'too_common');
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
      if (password.length > MAX_VERIFIED_LENGTH) return false;
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
