// Opens the database named by the configuration. The only module that constructs a Prisma client.
//
// Prisma generates one client per provider (a schema has one provider), from the same models.
// Both clients expose the same model API, so the rest of the code is typed against the SQLite
// client and receives the PostgreSQL one through the same type.
import type { DatabaseConfig } from '../config.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { prepareSqliteFile } from './sqlite-file.js';
import { withStatementCache, type StatementCache } from './sqlite-statement-cache.js';
import { postgresRawSql, sqliteRawSql, type RawSql } from './raw-sql.js';

const raise = (error: Error): never => {
  throw error;
};

export type DbClient = SqliteClient;

export interface Database {
  provider: DatabaseConfig['provider'];
  prisma: DbClient;
  /** The adapter's hot statements, straight to the driver Prisma uses (raw-sql.ts). */
  sql: RawSql;
  /** Statements sent so far, when opened with countStatements (tests and benchmarks of the budget). */
  statements(): number;
  /** Of those, the reads (SELECT). */
  reads(): number;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Count every statement (Prisma's query events): for tests and benchmarks, not production. */
  countStatements?: boolean;
}

/**
 * Prisma emits one query event per statement sent, raw or typed; the statements of raw-sql.ts,
 * which bypass Prisma, are counted as they go. A count of all and of reads is all we keep.
 */
function counter(prisma: DbClient, enabled: boolean): Pick<Database, 'statements' | 'reads'> & { count(sql: string): void } {
  let all = 0;
  let reads = 0;
  const count = (sql: string) => {
    all++;
    if (/^\s*SELECT\b/i.test(sql)) reads++;
  };
  if (enabled) {
    (prisma as unknown as { $on(event: 'query', listener: (event: { query: string }) => void): void }).$on('query', ({ query }) => count(query));
  }
  return { statements: () => all, reads: () => reads, count: enabled ? count : () => {} };
}

/** SQLite waits this long for another process's write lock (CLI next to a running server). */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Database> {
  const QUERY_EVENTS = [{ emit: 'event' as const, level: 'query' as const }];
  if (config.provider === 'sqlite') {
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    prepareSqliteFile(config.file);
    let connection: StatementCache | undefined;
    const adapter = withStatementCache(new PrismaBetterSqlite3({ url: config.file, timeout: SQLITE_BUSY_TIMEOUT_MS }), (cache) => (connection = cache));
    const prisma = options.countStatements ? new SqliteClient({ adapter, log: QUERY_EVENTS }) : new SqliteClient({ adapter });
    // WAL lets readers (the server) proceed while a writer (the CLI, another request) commits.
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
    // A checkpoint (WAL pages copied into the database file, with an fsync on each side) runs in
    // the committing request, on the event loop. Every 4000 pages (16 MiB of WAL) instead of the
    // default 1000 rewrites hot pages less often: a token insert took 70 µs instead of 107.
    await prisma.$queryRawUnsafe('PRAGMA wal_autocheckpoint = 4000');
    const { count, ...counts } = counter(prisma, options.countStatements === true);
    // Prisma connected for the pragmas above, and connects again if it ever disconnects.
    const sql = sqliteRawSql(() => connection ?? raise(new Error('the SQLite connection is not open')), count);
    return { provider: 'sqlite', prisma, sql, ...counts, close: () => prisma.$disconnect() };
  }
  const [{ PrismaPg }, { PrismaClient: PostgresClient }, { default: pg }] = await Promise.all([
    import('@prisma/adapter-pg'),
    import('./generated/postgresql/client.js'),
    import('pg'),
  ]);
  // The pool is ours, handed to Prisma's adapter, so raw-sql.ts draws from the same connections.
  const pool = new pg.Pool({ connectionString: config.url, max: 10 });
  // An idle connection the server ended (a restart, an administrator, a dropped database) is an
  // 'error' on the pool, which would be thrown as unhandled without a listener; the pool has already
  // let that connection go and opens another for the next query. Prisma listens too, but only
  // while it is connected. A query's own failure still reaches whoever sent it.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool);
  const prisma = (options.countStatements ? new PostgresClient({ adapter, log: QUERY_EVENTS }) : new PostgresClient({ adapter })) as unknown as DbClient;
  const { count, ...counts } = counter(prisma, options.countStatements === true);
  return {
    provider: 'postgresql',
    prisma,
    sql: postgresRawSql(pool, count),
    ...counts,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
