// A person's sign-in record, read in the same statement as the sign-in's lock check: every
// password form first asks whether the account or the address is locked, and then, when neither
// is, reads the person whose email was typed. The attempt store's lock read brings the person
// (with their authenticator app) along and leaves the row here, under the email; the user
// repository's find for the password check takes it, once, within a second. Only that find takes
// it, and each one follows its own lock check moments before: the person is read as they were at
// the lock check of the same request.
import { OneTimeHandouts } from './one-time-handouts.js';

/** How long a person read along with a lock check waits for the password check. */
const READ_AHEAD_TTL_MS = 1_000;

/** The joined row (the person's columns and their app's, as the user repository reads them), or null: no such person. */
export type PersonRow = Record<string, unknown>;

export class PersonReadAhead {
  readonly #rows = new OneTimeHandouts<PersonRow | null>({ max: 10_000, ttlMs: READ_AHEAD_TTL_MS });

  /** Leaves the person read for `email` (null: none has it). */
  leave(email: string, row: PersonRow | null): void {
    this.#rows.set(email, row);
  }

  /** The row read ahead, once: null when there was no such person, undefined when nothing was read ahead. */
  take(email: string): PersonRow | null | undefined {
    return this.#rows.take(email);
  }
}
