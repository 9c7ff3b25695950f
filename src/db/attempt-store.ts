// Failed attempts and lockouts, in the rate_limit table through rate-limiter-flexible's Prisma
// store: every instance and the CLI see the same counts, so a lockout made on one instance holds
// on all of them and `sesame users unlock` lifts it everywhere at once.
import { RateLimiterPrisma, RateLimiterRes } from 'rate-limiter-flexible';
import type { DbClient } from './database.js';
import { Prisma } from './generated/sqlite/client.js';
import { PersonReadAhead, type PersonRow } from './person-read-ahead.js';
import { dateOf, type RawInteger, type RawSql } from './raw-sql.js';
import { isStorable } from './text.js';
import { PERSON_APP_JOIN, PERSON_COLUMNS } from './user-repository.js';

export interface AttemptStore {
  /** Counts one more failure under `key`; the count starts again `windowMs` after its first failure. */
  addFailure(key: string, windowMs: number): Promise<number>;
  /** Locks `key` for `ms` from now. */
  lock(key: string, ms: number): Promise<void>;
  /**
   * Per key, the milliseconds it stays locked (0: not locked) and whether it has anything stored
   * (failures or a lock), in one read. With `personEmail`, the same statement reads the person
   * with that email for the password check that follows (person-read-ahead.ts).
   */
  lockedFor(keys: readonly string[], along?: { personEmail: string }): Promise<{ waits: number[]; stored: boolean[] }>;
  /** Forgets the failures and the locks of these keys, in one statement. */
  clear(keys: readonly string[]): Promise<void>;
  /** Deletes rows that expired at or before `now`; returns how many. */
  deleteExpired(now?: Date): Promise<number>;
}

/** rate-limiter-flexible addresses the model by its Prisma client property name. */
const MODEL = 'rateLimit';
/** A failure counter never refuses by itself: the lockout policy decides what a count means. */
const UNLIMITED = 2 ** 31 - 1;

interface LimitRow {
  key: string;
  points: RawInteger;
  expire: Date | string | null;
}

/**
 * The limits' rows of `storedKeys` and the person with `email` (with their app), in one statement:
 * one row per stored key, each carrying the person's columns (null when there is no such person),
 * or a single row without a key when none is stored.
 */
function limitsAndPersonQuery(storedKeys: readonly string[], email: string): Prisma.Sql {
  return Prisma.sql`
    SELECT ${PERSON_COLUMNS}, "counted"."key" AS "counted_key", "counted"."points" AS "counted_points", "counted"."expire" AS "counted_expire"
    FROM (SELECT 1 AS "one") AS "one"
    LEFT JOIN "user" ON "user"."email" = ${email}
    ${PERSON_APP_JOIN}
    LEFT JOIN "rate_limit" AS "counted" ON "counted"."key" IN (${Prisma.join(storedKeys)})`;
}

/**
 * `sql` (Database.sql) runs the read every sign-in makes (lockedFor); `persons` gets the person a
 * sign-in's lock read brings along, for the user repository.
 */
export function createAttemptStore(prisma: DbClient, sql: RawSql, persons = new PersonReadAhead()): AttemptStore {
  const counters = new Map<number, RateLimiterPrisma>();
  const counter = (windowMs: number): RateLimiterPrisma => {
    let limiter = counters.get(windowMs);
    if (!limiter) {
      limiter = new RateLimiterPrisma({
        storeClient: prisma,
        tableName: MODEL,
        keyPrefix: 'failures',
        points: UNLIMITED,
        duration: Math.max(1, Math.ceil(windowMs / 1000)),
        // Expired rows are swept with the rest of the expired data (server.ts), not by a timer per limiter.
        clearExpiredByTimeout: false,
      });
      counters.set(windowMs, limiter);
    }
    return limiter;
  };
  const locks = new RateLimiterPrisma({
    storeClient: prisma,
    tableName: MODEL,
    keyPrefix: 'lock',
    points: 1,
    duration: 1,
    clearExpiredByTimeout: false,
  });

  return {
    async addFailure(key, windowMs) {
      try {
        return (await counter(windowMs).consume(key, 1)).consumedPoints;
      } catch (error) {
        // consume rejects with a RateLimiterRes when over its points (never, with UNLIMITED).
        if (error instanceof RateLimiterRes) return error.consumedPoints;
        throw error;
      }
    },
    async lock(key, ms) {
      await locks.block(key, Math.max(1, Math.ceil(ms / 1000)));
    },
    // Every sign-in checks two locks and clears a counter: read and deleted here as one statement
    // each (rate-limiter-flexible would take one per key), under the library's own keys. A lock is
    // its row with more points than the limiter's one (block()), until `expire`.
    async lockedFor(keys, along) {
      if (keys.length === 0) return { waits: [], stored: [] };
      const lockKeys = keys.map((key) => locks.getKey(key));
      const failureKeys = keys.map((key) => counter(1000).getKey(key));
      const storedKeys = [...lockKeys, ...failureKeys];
      // Raw: Prisma's typed findMany cost more CPU than the read itself, on every sign-in.
      let found: LimitRow[];
      if (along && isStorable(along.personEmail)) {
        const joined = await sql.query<PersonRow & { counted_key: string | null; counted_points: RawInteger; counted_expire: Date | string | null }>(
          limitsAndPersonQuery(storedKeys, along.personEmail),
        );
        const person = joined[0];
        persons.leave(along.personEmail, person && person.id !== null ? person : null);
        found = joined.flatMap((row) => (row.counted_key === null ? [] : [{ key: row.counted_key, points: row.counted_points, expire: row.counted_expire }]));
      } else {
        found = await sql.query<LimitRow>(Prisma.sql`SELECT "key", "points", "expire" FROM "rate_limit" WHERE "key" IN (${Prisma.join(storedKeys)})`);
      }
      const rows = found.map((row) => ({ key: row.key, points: Number(row.points), expire: dateOf(row.expire) }));
      const now = Date.now();
      const live = (key: string) => rows.find((r) => r.key === key && (r.expire === null || r.expire.getTime() > now));
      return {
        waits: lockKeys.map((key) => {
          const row = live(key);
          return row && row.points > 1 && row.expire ? Math.max(0, row.expire.getTime() - now) : 0;
        }),
        stored: keys.map((_, i) => live(lockKeys[i]!) !== undefined || live(failureKeys[i]!) !== undefined),
      };
    },
    async clear(keys) {
      if (keys.length === 0) return;
      const stored = keys.flatMap((key) => [locks.getKey(key), counter(1000).getKey(key)]);
      await prisma.rateLimit.deleteMany({ where: { key: { in: stored } } });
    },
    async deleteExpired(now = new Date()) {
      const { count } = await prisma.rateLimit.deleteMany({ where: { expire: { lte: now } } });
      return count;
    },
  };
}
