import type { DbClient } from './database.js';
import { Prisma } from './generated/sqlite/client.js';
import { booleanOf, dateOf, type RawBoolean, type RawSql } from './raw-sql.js';
import { isStorable } from './text.js';
import { PersonReadAhead } from './person-read-ahead.js';
import { JOINED_TOTP_COLUMNS, joinedTotpOf, TotpReadAhead } from './totp-read-ahead.js';

export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  /** Null until an invited person chooses a password. */
  passwordHash: string | null;
  disabled: boolean;
  isAdmin: boolean;
  /** Created by sign-up and not verified yet: cannot sign in. */
  signupPending: boolean;
  /** JSON object of custom attributes (domain/claims/attributes.ts). */
  attributes: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUser = Pick<UserRecord, 'id' | 'email' | 'name' | 'emailVerified' | 'passwordHash'> & { isAdmin?: boolean; signupPending?: boolean };
export type UserUpdate = Partial<
  Pick<UserRecord, 'email' | 'name' | 'emailVerified' | 'passwordHash' | 'disabled' | 'isAdmin' | 'signupPending' | 'attributes'>
>;

export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

/** Prisma reports a unique-constraint violation as P2002 on both databases. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

const USER_COLUMN_NAMES = [
  'id',
  'email',
  'name',
  'emailVerified',
  'passwordHash',
  'disabled',
  'isAdmin',
  'signupPending',
  'attributes',
  'createdAt',
  'updatedAt',
];
const USER_COLUMNS = Prisma.raw(USER_COLUMN_NAMES.map((column) => `"${column}"`).join(', '));
const JOINED_USER_COLUMNS = Prisma.raw(USER_COLUMN_NAMES.map((column) => `"user"."${column}"`).join(', '));

/**
 * The person with their authenticator app, as the sign-in reads them: the columns of `"user"` and
 * of `"totp"`, and the join of the app onto `"user"` (which the statement selects by email).
 */
export const PERSON_COLUMNS = Prisma.sql`${JOINED_USER_COLUMNS}, ${JOINED_TOTP_COLUMNS}`;
export const PERSON_APP_JOIN = Prisma.sql`LEFT JOIN "totp_factor" AS "totp" ON "totp"."userId" = "user"."id"`;

/** A user row as a raw read gives it (raw-sql.ts: booleans and times as each database returns them). */
interface UserRow {
  id: string;
  email: string;
  name: string | null;
  emailVerified: RawBoolean;
  passwordHash: string | null;
  disabled: RawBoolean;
  isAdmin: RawBoolean;
  signupPending: RawBoolean;
  attributes: string;
  createdAt: Date | string;
  updatedAt: Date | string;
}

/** Only the user's columns: a joined row carries others (the authenticator app's secret among them). */
const userOf = (row: UserRow): UserRecord => ({
  id: row.id,
  email: row.email,
  name: row.name,
  passwordHash: row.passwordHash,
  attributes: row.attributes,
  emailVerified: booleanOf(row.emailVerified),
  disabled: booleanOf(row.disabled),
  isAdmin: booleanOf(row.isAdmin),
  signupPending: booleanOf(row.signupPending),
  createdAt: dateOf(row.createdAt)!,
  updatedAt: dateOf(row.updatedAt)!,
});

/**
 * `sql` (Database.sql) runs the finds by email and id: every sign-in makes one, and the account
 * cache's misses. The find by email is the sign-in's: it brings the person's authenticator app
 * along for the step after the password (`readAhead`, shared with the second-factor repository).
 */
export function createUserRepository(prisma: DbClient, sql: RawSql, readAhead = new TotpReadAhead(), persons = new PersonReadAhead()) {
  // Raw: Prisma's typed findUnique cost more CPU than the read itself.
  const findOne = async (where: Prisma.Sql): Promise<UserRecord | null> => {
    const [row] = await sql.query<UserRow>(Prisma.sql`SELECT ${USER_COLUMNS} FROM "user" WHERE ${where}`);
    return row ? userOf(row) : null;
  };
  /** The person of a sign-in's read, their app left for the second step. */
  const signInRecordOf = (row: UserRow & Record<string, unknown>): UserRecord => {
    readAhead.leave(row.id, joinedTotpOf(row));
    return userOf(row);
  };
  return {
    async create(user: NewUser): Promise<UserRecord> {
      try {
        return await prisma.user.create({ data: user });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation('email');
        throw error;
      }
    },
    // A value the database cannot hold (NUL, unpaired surrogates: text.ts) is no one's email or id.
    async findByEmail(email: string): Promise<UserRecord | null> {
      if (!isStorable(email)) return null;
      const [row] = await sql.query<UserRow & Record<string, unknown>>(Prisma.sql`
        SELECT ${PERSON_COLUMNS} FROM "user" ${PERSON_APP_JOIN} WHERE "user"."email" = ${email}`);
      return row ? signInRecordOf(row) : null;
    },
    /** findByEmail for the password check: the person its lock check read along (person-read-ahead.ts), or a read now. */
    async findForSignIn(email: string): Promise<UserRecord | null> {
      const row = persons.take(email);
      if (row === undefined) return this.findByEmail(email);
      return row ? signInRecordOf(row as unknown as UserRow & Record<string, unknown>) : null;
    },
    async findById(id: string): Promise<UserRecord | null> {
      return isStorable(id) ? findOne(Prisma.sql`"id" = ${id}`) : null;
    },
    list(): Promise<UserRecord[]> {
      return prisma.user.findMany({ orderBy: { createdAt: 'asc' } });
    },
    /** The emails of the users among `ids` (one query; ids of no user are left out). */
    async emailsOf(ids: string[]): Promise<Map<string, string>> {
      const wanted = [...new Set(ids.filter(isStorable))];
      if (wanted.length === 0) return new Map();
      const rows = await prisma.user.findMany({ where: { id: { in: wanted } }, select: { id: true, email: true } });
      return new Map(rows.map((r: { id: string; email: string }) => [r.id, r.email]));
    },
    /**
     * A page of users whose email contains `search` literally, in creation order, after the
     * cursor id. Prisma's `contains` is a LIKE whose `%` and `_` stay wildcards (and SQLite's LIKE
     * has no escape character by default), so such a search over-fetches with LIKE and keeps
     * only the literal matches, reading on until the page is full.
     */
    async page(options: { search?: string; limit: number; afterId?: string }): Promise<UserRecord[]> {
      if ([options.search, options.afterId].some((value) => value !== undefined && !isStorable(value))) return [];
      const search = options.search?.toLowerCase();
      const read = (take: number, afterId?: string) =>
        prisma.user.findMany({
          where: search ? { email: { contains: search } } : {},
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          take,
          ...(afterId ? { cursor: { id: afterId }, skip: 1 } : {}),
        });
      if (!search || !/[%_\\]/.test(search)) return read(options.limit, options.afterId);
      const found: UserRecord[] = [];
      let after = options.afterId;
      for (;;) {
        const batch = await read(options.limit * 4, after);
        found.push(...batch.filter((user) => user.email.includes(search)));
        if (found.length >= options.limit || batch.length < options.limit * 4) return found.slice(0, options.limit);
        after = batch.at(-1)!.id;
      }
    },
    async update(id: string, data: UserUpdate): Promise<UserRecord | null> {
      if (!isStorable(id)) return null;
      let count;
      try {
        ({ count } = await prisma.user.updateMany({ where: { id }, data }));
      } catch (error) {
        // Only an email change can clash: the email column is the one unique one a change touches.
        if (isUniqueViolation(error)) throw new UniqueViolation('email');
        throw error;
      }
      return count > 0 ? prisma.user.findUnique({ where: { id } }) : null;
    },
    async deleteById(id: string): Promise<boolean> {
      if (!isStorable(id)) return false;
      const { count } = await prisma.user.deleteMany({ where: { id } });
      return count > 0;
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
