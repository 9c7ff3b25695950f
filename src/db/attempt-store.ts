// Failed attempts and lockouts, in the rate_limit table through rate-limiter-flexible's Prisma
// store: every instance and the CLI see the same counts, so a lockout made on one instance holds
// on all of them and `sesame users unlock` lifts it everywhere at once.
import { RateLimiterPrisma, RateLimiterRes } from 'rate-limiter-flexible';
import type { DbClient } from './database.js';
import { Prisma } from './generated/sqlite/client.js';
import { dateOf, type RawInteger, type RawSql } from './raw-sql.js';

export interface AttemptStore {
  /** Counts one more failure under `key`; the count starts again `windowMs` after its first failure. */
  addFailure(key: string, windowMs: number): Promise<number>;
  /** Locks `key` for `ms` from now. */
  lock(key: string, ms: number): Promise<void>;
  /** Per key, the milliseconds it stays locked (0: not locked) and whether it has anything stored (failures or a lock), in one read. */
  lockedFor(keys: readonly string[]): Promise<{ waits: number[]; stored: boolean[] }>;
  /** Forgets the failures and the locks of these keys, in one statement. */
  clear(keys: readonly string[]): Promise<void>;
  /** Deletes rows that expired at or before `now`; returns how many. */
  deleteExpired(now?: Date): Promise<number>;
}

/** rate-limiter-flexible addresses the model by its Prisma client property name. */
const MODEL = 'rateLimit';
/** A failure counter never refuses by itself: the lockout policy decides what a count means. */
const UNLIMITED = 2 ** 31 - 1;

/** `sql` (Database.sql) runs the read every sign-in makes (lockedFor). */
export function createAttemptStore(prisma: DbClient, sql: RawSql): AttemptStore {
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
    async lockedFor(keys) {
      if (keys.length === 0) return { waits: [], stored: [] };
      const lockKeys = keys.map((key) => locks.getKey(key));
      const failureKeys = keys.map((key) => counter(1000).getKey(key));
      // Raw: Prisma's typed findMany cost more CPU than the read itself, on every sign-in.
      const found = await sql.query<{ key: string; points: RawInteger; expire: Date | string | null }>(
        Prisma.sql`SELECT "key", "points", "expire" FROM "rate_limit" WHERE "key" IN (${Prisma.join([...lockKeys, ...failureKeys])})`,
      );
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
