// A person's sign-in record, read in the same statement as the sign-in's lock check: every
// password form first asks whether the account or the address is locked, and then, when neither
// is, reads the person whose email was typed. The attempt store's lock read brings the person
// (with their authenticator app) along and leaves the row here, under the email; the user
// repository's find for the password check takes it, once, within a second. Only that find takes
// it, and each one follows its own lock check moments before: the person is read as they were at
// the lock check of the same request.
import { ReadAhead } from './one-time-handouts.js';

/** The joined row (the person's columns and their app's, as the user repository reads them), or null: no such person. */
export type PersonRow = Record<string, unknown>;

/** Keyed by the email as typed, normalized. */
export class PersonReadAhead extends ReadAhead<PersonRow | null> {}
