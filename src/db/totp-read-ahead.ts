// A person's authenticator app, read along with their sign-in record: every sign-in with a correct
// password asks next whether the person has one (the second step), and that second read is one
// statement more per sign-in. The user repository's find by email brings the factor in the same
// statement (a LEFT JOIN on its primary key) and leaves it here; the second-factor repository takes
// it, once, within a second, unless this instance changed the factor first. Otherwise it is read
// as it was when the person's record was: the same moment the password check is made against.
import { ReadAhead } from './one-time-handouts.js';
import { Prisma } from './generated/sqlite/client.js';
import { dateOf, type RawInteger } from './raw-sql.js';

export interface TotpFactorRecord {
  userId: string;
  /** Compact JWE of the base32 secret (SecretBox). */
  secretEncrypted: string;
  confirmedAt: Date | null;
  lastUsedStep: number | null;
  createdAt: Date;
}

/** A totp_factor row as a raw read gives it, its columns prefixed `totp_` when read along with a user. */
export interface TotpRow {
  userId: string;
  secretEncrypted: string;
  confirmedAt: Date | string | null;
  lastUsedStep: RawInteger | null;
  createdAt: Date | string;
}

const TOTP_COLUMN_NAMES = ['userId', 'secretEncrypted', 'confirmedAt', 'lastUsedStep', 'createdAt'] as const satisfies readonly (keyof TotpRow)[];

export const TOTP_COLUMNS = Prisma.raw(TOTP_COLUMN_NAMES.map((column) => `"${column}"`).join(', '));

/** The factor's columns of a join with the user table (`totp` its alias), each prefixed `totp_`. */
export const JOINED_TOTP_COLUMNS = Prisma.raw(TOTP_COLUMN_NAMES.map((column) => `"totp"."${column}" AS "totp_${column}"`).join(', '));

export const totpOf = (row: TotpRow): TotpFactorRecord => ({
  userId: row.userId,
  secretEncrypted: row.secretEncrypted,
  confirmedAt: dateOf(row.confirmedAt),
  lastUsedStep: row.lastUsedStep === null ? null : Number(row.lastUsedStep),
  createdAt: dateOf(row.createdAt)!,
});

/** The factor in a joined row (null: the person has none). */
export function joinedTotpOf(row: Record<string, unknown>): TotpFactorRecord | null {
  if (row.totp_userId === null || row.totp_userId === undefined) return null;
  return totpOf(Object.fromEntries(TOTP_COLUMN_NAMES.map((column) => [column, row[`totp_${column}`]])) as unknown as TotpRow);
}

/** Keyed by the person's id; null: they have no app. */
export class TotpReadAhead extends ReadAhead<TotpFactorRecord | null> {}
