// Failures counted per key in the shared store, and the lockouts they earn (lockout.ts).
//
// Two ways to ask whether a key is locked:
// - `lockedFor` reads the store: exact across instances, one read per key. The sign-in form uses
//   it (an argon2id hash costs far more than the read, and an unlock from the CLI must count now).
// - `lockedHere` reads this instance's memory of the locks it has seen: no database work on hot
//   paths such as /token. Another instance's lock is learnt at this instance's first failure for
//   the key after it, because counts are shared: at most one more attempt per instance.
import type { AttemptStore } from '../../db/attempt-store.js';
import { lockoutAfter, type LockoutPolicy } from './lockout.js';

export interface Counted {
  key: string;
  /** Failures under this key that earn the first lockout. */
  maxFailures: number;
}

export interface ThrottleTimes {
  /** Milliseconds of the first lockout (it doubles with each further failure). */
  lockout: number;
  lockoutMax: number;
  /** Milliseconds after the first failure at which a key's count starts again. */
  failureReset: number;
}

/** The most locks an instance remembers; the oldest are forgotten first (they are in the store). */
const MAX_REMEMBERED = 10_000;
/**
 * How long a key read with nothing stored counts as clean: a success right after the check (the
 * same sign-in) then has nothing to clear and sends no statement. A failure another instance adds
 * within that window survives the success; it would have been counted a moment earlier anyway.
 */
const CLEAN_FOR_MS = 2_000;

export class AttemptThrottle {
  readonly #locks = new Map<string, number>();
  /** Keys this instance read with nothing stored, and until when that reading holds. */
  readonly #clean = new Map<string, number>();

  constructor(
    private readonly store: AttemptStore,
    private readonly times: ThrottleTimes,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Milliseconds until none of `keys` is locked, from the store (0: go ahead). `along`: the
   * person the password check that follows will read (the same statement reads them).
   */
  async lockedFor(keys: readonly string[], along?: { personEmail: string }): Promise<number> {
    const { waits, stored } = await this.store.lockedFor(keys, along);
    const cleanUntil = this.now() + CLEAN_FOR_MS;
    keys.forEach((key, i) => {
      this.#remember(key, waits[i]!);
      if (stored[i]) this.#clean.delete(key);
      else this.#markClean(key, cleanUntil);
    });
    return Math.max(0, ...waits);
  }

  /** Milliseconds until none of `keys` is locked, as far as this instance has seen (no I/O). */
  lockedHere(keys: readonly string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const until = this.#locks.get(key);
      if (until === undefined) continue;
      if (until <= now) this.#locks.delete(key);
      else wait = Math.max(wait, until - now);
    }
    return wait;
  }

  /**
   * Counts a failure under each key and locks those whose count earns it. Returns, per key, the
   * milliseconds it is now locked for (0: not locked).
   */
  async fail(counted: readonly Counted[]): Promise<number[]> {
    return Promise.all(
      counted.map(async ({ key, maxFailures }) => {
        this.#clean.delete(key);
        const failures = await this.store.addFailure(key, this.times.failureReset);
        const lock = lockoutAfter(failures, { maxFailures, lockout: this.times.lockout, lockoutMax: this.times.lockoutMax } satisfies LockoutPolicy);
        if (lock > 0) {
          await this.store.lock(key, lock);
          this.#remember(key, lock);
        }
        return lock;
      }),
    );
  }

  /** Forgets the failures and lock of each key, in the store and here. */
  async clear(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.#locks.delete(key);
      this.#clean.delete(key);
    }
    await this.store.clear(keys);
  }

  /** Like clear, but skips keys `lockedFor` has just read with nothing stored (a sign-in's success). */
  async clearAfterCheck(keys: readonly string[]): Promise<void> {
    const now = this.now();
    const dirty = keys.filter((key) => {
      const until = this.#clean.get(key);
      this.#clean.delete(key);
      return until === undefined || until <= now;
    });
    if (dirty.length > 0) await this.clear(dirty);
  }

  #markClean(key: string, until: number): void {
    if (this.#clean.size >= MAX_REMEMBERED && !this.#clean.has(key)) {
      const oldest = this.#clean.keys().next().value;
      if (oldest !== undefined) this.#clean.delete(oldest);
    }
    this.#clean.delete(key);
    this.#clean.set(key, until);
  }

  #remember(key: string, ms: number): void {
    if (ms <= 0) {
      this.#locks.delete(key);
      return;
    }
    if (this.#locks.size >= MAX_REMEMBERED && !this.#locks.has(key)) {
      const oldest = this.#locks.keys().next().value;
      if (oldest !== undefined) this.#locks.delete(oldest);
    }
    this.#locks.set(key, this.now() + ms);
  }
}
