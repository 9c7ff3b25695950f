// The jwks_fetcher and key_activation_hold tables. Fetches arrive in batches (each instance writes
// what it counted in memory every few seconds): one INSERT ... ON CONFLICT per batch, which adds
// the counts and keeps, of two instances' writes for one fetcher, the newer fetch's key set. Dates
// are bound as Prisma binds them (see oidc-payload-repository.ts); the tests run both databases.
import type { DbClient } from './database.js';
import { Prisma } from './generated/sqlite/client.js';

/** What one instance counted for one fetcher since its last write. */
export interface FetcherBatchRow {
  id: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  fetches: number;
  /** `,kid,kid,`: the key set its latest fetch received. */
  kids: string;
}

export interface ActivationHoldRecord {
  kid: string;
  alg: string;
  heldSince: Date;
  releasedAt: Date | null;
}

/** Rows per statement: 5 parameters each, well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

/** Prisma's unique-constraint violation: another instance recorded the same hold first. */
const isDuplicate = (error: unknown) => (error as { code?: string }).code === 'P2002';

export function createJwksFetcherRepository(prisma: DbClient) {
  return {
    async record(rows: readonly FetcherBatchRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const values = Prisma.join(rows.slice(i, i + CHUNK).map((r) => Prisma.sql`(${r.id}, ${r.firstSeenAt}, ${r.lastSeenAt}, ${r.fetches}, ${r.kids})`));
        await prisma.$executeRaw`
          INSERT INTO "jwks_fetcher" ("id", "firstSeenAt", "lastSeenAt", "fetches", "kids") VALUES ${values}
          ON CONFLICT ("id") DO UPDATE SET
            "fetches" = "jwks_fetcher"."fetches" + excluded."fetches",
            "firstSeenAt" = CASE WHEN excluded."firstSeenAt" < "jwks_fetcher"."firstSeenAt" THEN excluded."firstSeenAt" ELSE "jwks_fetcher"."firstSeenAt" END,
            "kids" = CASE WHEN excluded."lastSeenAt" >= "jwks_fetcher"."lastSeenAt" THEN excluded."kids" ELSE "jwks_fetcher"."kids" END,
            "lastSeenAt" = CASE WHEN excluded."lastSeenAt" >= "jwks_fetcher"."lastSeenAt" THEN excluded."lastSeenAt" ELSE "jwks_fetcher"."lastSeenAt" END`;
      }
    },

    /** Fetchers seen at or after `since`, and of those, the ones whose latest key set held `kid`. */
    async pickup(kid: string, since: Date): Promise<{ fetchers: number; received: number }> {
      const recent = { lastSeenAt: { gte: since } };
      const [fetchers, received] = await Promise.all([
        prisma.jwksFetcher.count({ where: recent }),
        prisma.jwksFetcher.count({ where: { ...recent, kids: { contains: `,${kid},` } } }),
      ]);
      return { fetchers, received };
    },

    countSince(since: Date): Promise<number> {
      return prisma.jwksFetcher.count({ where: { lastSeenAt: { gte: since } } });
    },

    async deleteSeenBefore(before: Date): Promise<number> {
      const { count } = await prisma.jwksFetcher.deleteMany({ where: { lastSeenAt: { lt: before } } });
      return count;
    },

    holdOf(kid: string): Promise<ActivationHoldRecord | null> {
      return prisma.keyActivationHold.findUnique({ where: { kid } });
    },

    holds(kids: readonly string[]): Promise<ActivationHoldRecord[]> {
      return prisma.keyActivationHold.findMany({ where: { kid: { in: [...kids] } } });
    },

    /** Records that the gate holds `kid` from `at`; true for the one caller that recorded it. */
    async startHold(kid: string, alg: string, at: Date): Promise<boolean> {
      try {
        await prisma.keyActivationHold.create({ data: { kid, alg, heldSince: at } });
        return true;
      } catch (error) {
        if (isDuplicate(error)) return false;
        throw error;
      }
    },

    /** Marks the hold released by the maximum delay; true for the one caller that marked it. */
    async releaseHold(kid: string, at: Date): Promise<boolean> {
      const { count } = await prisma.keyActivationHold.updateMany({ where: { kid, releasedAt: null }, data: { releasedAt: at } });
      return count === 1;
    },

    async deleteHoldsBefore(before: Date): Promise<number> {
      const { count } = await prisma.keyActivationHold.deleteMany({ where: { heldSince: { lt: before } } });
      return count;
    },
  };
}

export type JwksFetcherRepository = ReturnType<typeof createJwksFetcherRepository>;
