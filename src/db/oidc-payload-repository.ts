// Everything oidc-provider stores except clients, one row per (model, id). The only module that
// queries the oidc_payload table. It addresses rows by their stored key, as they are in the table:
// for bearer-secret models a digest of the id oidc-provider presents, which the adapter computes
// (payload-at-rest.ts); nothing here hashes. Each operation is a single statement (one round trip, no
// transaction), so correctness under concurrency (requests, instances) rests on the database.
// The raw statements bind a Date as ISO-8601 UTC text: exactly how Prisma stores DateTime on
// SQLite (so text comparison orders correctly), and what PostgreSQL reads into timestamp(3) as
// UTC, like Prisma's own writes. The tests run them against both databases.
import DataLoader from 'dataloader';
import type { DbClient } from './database.js';
import { Prisma } from './generated/sqlite/client.js';
import { HeldWrites, rowKey, type HeldRow, type RowHolder } from './held-writes.js';
import { OneTimeHandouts } from './one-time-handouts.js';
import { dateOf, type RawSql } from './raw-sql.js';
import { accountIdFragment, accountIdOf, type Payload } from './provider-payloads.js';

/** The columns the adapter looks rows up by; the payload itself stays opaque JSON text. */
export interface PayloadColumns {
  /** Set only on rows that must disappear when their grant is revoked. */
  grantId?: string | null;
  userCode?: string | null;
  uid?: string | null;
  /** Null: kept until destroyed. */
  expiresAt?: Date | null;
}

export interface StoredPayload {
  /** The JSON text given to `upsert`. */
  payload: string;
  consumedAt: Date | null;
}

const STORED = { payload: true, consumedAt: true } as const;

/** A live row that belongs to one account (its payload's `accountId`): a Session or a Grant. */
export interface AccountPayload {
  model: string;
  /** The row's stored key (a digest for a Session; a Grant's own id). */
  key: string;
  /** The parsed payload (JSON object); provider-payloads.ts reads it. */
  payload: Payload;
  createdAt: Date;
  expiresAt: Date | null;
}

/** Rows that have not expired at `now`: expiry is decided in the query, never after it. */
const live = (now: Date) => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

/** How long a grant read along with its token waits for the request that will ask for it next. */
const PREFETCH_TTL_MS = 1_000;

interface FoundRow {
  model: string;
  id: string;
  uid: string | null;
  payload: string;
  consumedAt: Date | string | null;
}

/** The raw statements' form of `live`. */
const liveAt = (now: Date) => Prisma.sql`("expiresAt" IS NULL OR "expiresAt" > ${now})`;

/** A row read by a raw statement, as the adapter gets it. */
const storedOf = (row: { payload: string; consumedAt: Date | string | null }): StoredPayload => ({ payload: row.payload, consumedAt: dateOf(row.consumedAt) });

const FOUND_COLUMNS = Prisma.raw(`"model", "id", "uid", "payload", "consumedAt"`);
const FOUND_GRANT_COLUMNS = Prisma.raw(`"grant"."model", "grant"."id", "grant"."uid", "grant"."payload", "grant"."consumedAt"`);

/** A session's interactions brought along with it, at most (a browser rarely has more than one under way). */
const INTERACTIONS_PER_SESSION = 4;

/**
 * The statement of a batched find: the rows asked for, the grant of each (by its grantId), the
 * session of each interaction (by its uid), and for a session its interactions under way with their
 * grants (a resumed authorization reads the session, then its interaction, then that one's grant),
 * each live. Per row asked for: the row by its key, then a Grant and a Session, each found by a
 * scalar subquery on that same key (for a row that points to none, the subquery finds nothing and so
 * does its part); for a Session, two parts more, through the (model, uid) index. Every part is a
 * search on a whole key, whatever the table holds (test/integration/payload-find-plan.test.ts reads
 * both databases' plans), and the text depends only on how many rows are asked for and which are
 * sessions, so each shape is one prepared statement. Earlier shapes: one WHERE with OR made
 * PostgreSQL read every live Session row (33 ms at 66,000 sessions, on every find); row-value IN
 * lists cost SQLite an ephemeral table per list, 18 µs a find where these parts take 14 (`npm run
 * bench:prisma`). A row that two parts bring comes twice; the caller keeps one.
 */
export function batchedFindQuery(wanted: readonly { model: string; key: string }[], now: Date): Prisma.Sql {
  const parts = wanted.flatMap(({ model, key }) => {
    const sessionUid = Prisma.sql`(SELECT "uid" FROM "oidc_payload" WHERE "model" = ${model} AND "id" = ${key} AND "model" = 'Session')`;
    return [
      Prisma.sql`SELECT ${FOUND_COLUMNS} FROM "oidc_payload" WHERE "model" = ${model} AND "id" = ${key} AND ${liveAt(now)}`,
      Prisma.sql`SELECT ${FOUND_COLUMNS} FROM "oidc_payload" WHERE "model" = 'Grant'
        AND "id" = (SELECT "grantId" FROM "oidc_payload" WHERE "model" = ${model} AND "id" = ${key}) AND ${liveAt(now)}`,
      Prisma.sql`SELECT ${FOUND_COLUMNS} FROM "oidc_payload" WHERE "model" = 'Session'
        AND "uid" = (SELECT "uid" FROM "oidc_payload" WHERE "model" = ${model} AND "id" = ${key} AND "model" = 'Interaction') AND ${liveAt(now)}`,
      ...(model === 'Session'
        ? [
            Prisma.sql`SELECT ${FOUND_COLUMNS} FROM (SELECT ${FOUND_COLUMNS} FROM "oidc_payload" WHERE "model" = 'Interaction'
              AND "uid" = ${sessionUid} AND ${liveAt(now)} LIMIT ${INTERACTIONS_PER_SESSION}) AS "interactions"`,
            Prisma.sql`SELECT ${FOUND_GRANT_COLUMNS} FROM (SELECT "grantId" FROM "oidc_payload" WHERE "model" = 'Interaction'
              AND "uid" = ${sessionUid} AND "grantId" IS NOT NULL AND ${liveAt(now)} LIMIT ${INTERACTIONS_PER_SESSION}) AS "interaction"
              JOIN "oidc_payload" AS "grant" ON "grant"."model" = 'Grant' AND "grant"."id" = "interaction"."grantId"
              WHERE ("grant"."expiresAt" IS NULL OR "grant"."expiresAt" > ${now})`,
          ]
        : []),
    ];
  });
  return Prisma.join(parts, '\nUNION ALL\n', '', '');
}

/**
 * Finds by (model, key), batched: the finds oidc-provider starts together (introspection looks in
 * three models at once) go to the database as one statement. The same statement brings what the
 * provider asks for next, so that second read never reaches the database: the grant of every token
 * it finds (refresh, userinfo, introspection), and the browser session of every interaction (the
 * sign-in and consent pages look it up by uid). A row read that way is handed out once, within a
 * second, unless this instance writes or removes it first; otherwise it is read as it was when the
 * row that brought it was.
 */
function createBatchedFind(sql: RawSql) {
  const prefetched = new OneTimeHandouts<StoredPayload>({ max: 10_000, ttlMs: PREFETCH_TTL_MS });
  /** Sessions brought along with their interaction, by uid (the only way the provider asks for them then). */
  const sessionsByUid = new OneTimeHandouts<StoredPayload>({ max: 10_000, ttlMs: PREFETCH_TTL_MS });

  const loader = new DataLoader<{ model: string; key: string }, StoredPayload | null, string>(
    async (wanted) => {
      const rows = await sql.query<FoundRow>(batchedFindQuery(wanted, new Date()));
      const asked = new Set(wanted.map(({ model, key }) => rowKey(model, key)));
      const found = new Map<string, StoredPayload>();
      for (const row of rows) {
        const key = rowKey(row.model, row.id);
        const stored = storedOf(row);
        found.set(key, stored);
        if (asked.has(key)) continue;
        if (row.model === 'Session' && row.uid !== null) sessionsByUid.set(row.uid, stored);
        else prefetched.set(key, stored);
      }
      return wanted.map(({ model, key }) => found.get(rowKey(model, key)) ?? null);
    },
    { cache: false, cacheKeyFn: ({ model, key }) => rowKey(model, key) },
  );

  return {
    find(model: string, key: string): Promise<StoredPayload | null> {
      const early = prefetched.take(rowKey(model, key));
      return early ? Promise.resolve(early) : loader.load({ model, key });
    },
    /** A Session brought along with its interaction, handed out once; undefined when there is none. */
    takeSessionByUid(uid: string): StoredPayload | undefined {
      return sessionsByUid.take(uid);
    },
    /** This instance changed or removed the row: what was read before must not be handed out. */
    forget(model: string, key: string): void {
      prefetched.delete(rowKey(model, key));
      // Sessions brought along are known by uid only; a session written or removed here forgets them all.
      if (model === 'Session') sessionsByUid.clear();
    },
    forgetAll(): void {
      prefetched.clear();
      sessionsByUid.clear();
    },
  };
}

/** When a removal is held (held-writes.ts), the row is stored dead: expired at the epoch, emptied. */
const TOMBSTONE = { payload: '{}', columns: {}, expiresAt: new Date(0) } as const;

/** One row of an upsert: its values in column order. */
function upsertValues({ model, key, saved }: HeldRow<PayloadColumns>, now: Date): Prisma.Sql {
  const payload = saved ? saved.payload : TOMBSTONE.payload;
  const columns: PayloadColumns = saved ? saved.columns : TOMBSTONE.columns;
  const expiresAt = saved ? (columns.expiresAt ?? null) : TOMBSTONE.expiresAt;
  return Prisma.sql`(${model}, ${key}, ${payload}, ${columns.grantId ?? null}, ${columns.userCode ?? null}, ${columns.uid ?? null}, ${expiresAt}, ${now})`;
}

/** The stored row has expired (or was removed as a tombstone): a save over it starts a new row. */
const DEAD = Prisma.raw(`"oidc_payload"."expiresAt" IS NOT NULL AND "oidc_payload"."expiresAt" <= excluded."createdAt"`);

/**
 * Every token, code, session and interaction the provider saves or removes comes through here: raw,
 * one INSERT ... ON CONFLICT DO UPDATE for any number of rows, because Prisma's typed upsert costs
 * several times the CPU of the statement itself. The update leaves consumedAt and createdAt alone
 * on a live row: a save racing a consume must not make a used code usable again, and createdAt
 * says when the row was issued. Over a dead row (expired, or a tombstone) a save is a new row.
 */
export function upsertQuery(rows: readonly HeldRow<PayloadColumns>[], now: Date): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "oidc_payload" ("model", "id", "payload", "grantId", "userCode", "uid", "expiresAt", "createdAt")
    VALUES ${Prisma.join(rows.map((row) => upsertValues(row, now)))}
    ON CONFLICT ("model", "id") DO UPDATE SET
      "payload" = excluded."payload", "grantId" = excluded."grantId", "userCode" = excluded."userCode",
      "uid" = excluded."uid", "expiresAt" = excluded."expiresAt",
      "consumedAt" = CASE WHEN ${DEAD} THEN NULL ELSE "oidc_payload"."consumedAt" END,
      "createdAt" = CASE WHEN ${DEAD} THEN excluded."createdAt" ELSE "oidc_payload"."createdAt" END`;
}

/**
 * `sql` (Database.sql) runs the hot statements: save, find, find by uid, consume, remove. `held`:
 * the request's writes (request-writes.ts, which sends the audit records with them); by default,
 * the rows alone.
 */
export function createOidcPayloadRepository(
  prisma: DbClient,
  sql: RawSql,
  held: RowHolder<PayloadColumns> = new HeldWrites<PayloadColumns>(async (rows) => {
    await sql.execute(upsertQuery(rows, new Date()));
  }),
) {
  const batched = createBatchedFind(sql);
  return {
    /**
     * Runs `work` (one request) with the saves and removals it makes held, and stores them together
     * when it ends, before its answer goes out (held-writes.ts).
     */
    holdingWrites<T>(work: () => Promise<T>): Promise<T> {
      return held.around(work);
    },

    async upsert(model: string, key: string, payload: string, columns: PayloadColumns = {}): Promise<void> {
      batched.forget(model, key);
      const row = { model, key, saved: { payload, columns } };
      if (held.hold(row)) return;
      await sql.execute(upsertQuery([row], new Date()));
    },

    /** A live row by its key (batched with the finds started at the same time: createBatchedFind). */
    async find(model: string, key: string): Promise<StoredPayload | null> {
      if (held.holds(model, key)) await held.flush();
      return batched.find(model, key);
    },

    async findByUid(model: string, uid: string): Promise<StoredPayload | null> {
      if (held.holdsAny(model)) await held.flush();
      const early = model === 'Session' ? batched.takeSessionByUid(uid) : undefined;
      if (early) return early;
      const [row] = await sql.query<{ payload: string; consumedAt: Date | string | null }>(Prisma.sql`
        SELECT "payload", "consumedAt" FROM "oidc_payload"
        WHERE "model" = ${model} AND "uid" = ${uid} AND "uid" IS NOT NULL AND ${liveAt(new Date())}
        LIMIT 1`);
      return row ? storedOf(row) : null;
    },

    async findByUserCode(model: string, userCode: string): Promise<StoredPayload | null> {
      await held.flush();
      return prisma.oidcPayload.findFirst({ where: { model, userCode, ...live(new Date()) }, select: STORED });
    },

    /**
     * Marks the row consumed if nobody did before. One conditional UPDATE: of any number of
     * parallel callers exactly one gets `true`; a missing row also gives `false`.
     */
    async consume(model: string, key: string): Promise<boolean> {
      await held.flush();
      batched.forget(model, key);
      // Raw because Prisma wraps updateMany in BEGIN/COMMIT: three round trips instead of one on
      // every code redemption and refresh.
      const count = await sql.execute(Prisma.sql`
        UPDATE "oidc_payload" SET "consumedAt" = ${new Date()}
        WHERE "model" = ${model} AND "id" = ${key} AND "consumedAt" IS NULL`);
      return count === 1;
    },

    async destroy(model: string, key: string): Promise<void> {
      batched.forget(model, key);
      if (held.hold({ model, key, saved: null })) return;
      await sql.execute(Prisma.sql`DELETE FROM "oidc_payload" WHERE "model" = ${model} AND "id" = ${key}`);
    },

    /** Deletes every row issued under this grant (every model that carries its grantId but Interaction). Returns how many. */
    async revokeByGrantId(grantId: string): Promise<number> {
      await held.flush();
      // An interaction carries the grant it extends so that a find brings that grant along; it is
      // not issued under the grant and is not removed with it.
      const { count } = await prisma.oidcPayload.deleteMany({ where: { grantId, model: { not: 'Interaction' } } });
      return count;
    },

    /**
     * Live rows of these models whose payload names `accountId` (Session and Grant payloads carry
     * it), oldest first. The payload is opaque JSON text, so the database narrows with a substring
     * match and each candidate is parsed to confirm: a scan of those models' rows, fine for an
     * admin action; an indexed accountId column would be the next step if it ever gets slow.
     */
    async findByAccountId(models: string[], accountId: string): Promise<AccountPayload[]> {
      await held.flush();
      const rows = await prisma.oidcPayload.findMany({
        where: {
          model: { in: models },
          payload: { contains: accountIdFragment(accountId) },
          ...live(new Date()),
        },
        select: { model: true, id: true, payload: true, createdAt: true, expiresAt: true },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const owned: AccountPayload[] = [];
      for (const row of rows) {
        let payload: unknown;
        try {
          payload = JSON.parse(row.payload);
        } catch {
          continue;
        }
        if (accountIdOf(payload) !== accountId) continue;
        owned.push({ model: row.model, key: row.id, payload: payload as Payload, createdAt: row.createdAt, expiresAt: row.expiresAt });
      }
      return owned;
    },

    /** Deletes these rows of one model, named by their stored keys. Returns how many. */
    async destroyMany(model: string, keys: string[]): Promise<number> {
      await held.flush();
      batched.forgetAll();
      if (keys.length === 0) return 0;
      const { count } = await prisma.oidcPayload.deleteMany({ where: { model, id: { in: keys } } });
      return count;
    },

    /**
     * Deletes rows of these models created at or before `end` (an emergency key revocation
     * removes the sessions, grants and tokens that existed while the key signed). Returns how many.
     */
    async deleteCreatedBefore(models: string[], end: Date): Promise<number> {
      await held.flush();
      batched.forgetAll();
      const { count } = await prisma.oidcPayload.deleteMany({ where: { model: { in: models }, createdAt: { lte: end } } });
      return count;
    },

    /**
     * Deletes rows that expired at or before `now`, at most `limit` of them when given, so a
     * background sweep never holds a long write lock. Returns how many were deleted.
     */
    async deleteExpired(now: Date = new Date(), limit?: number): Promise<number> {
      if (limit === undefined) {
        const { count } = await prisma.oidcPayload.deleteMany({ where: { expiresAt: { lte: now } } });
        return count;
      }
      if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
      // Prisma's deleteMany has no LIMIT. Row values and LIMIT in a subquery work the same on
      // SQLite (3.15+) and PostgreSQL.
      return prisma.$executeRaw`
        DELETE FROM "oidc_payload"
        WHERE ("model", "id") IN (
          SELECT "model", "id" FROM "oidc_payload" WHERE "expiresAt" <= ${now} LIMIT ${limit}
        )`;
    },
  };
}

export type OidcPayloadRepository = ReturnType<typeof createOidcPayloadRepository>;
