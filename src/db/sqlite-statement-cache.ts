// Prisma's better-sqlite3 adapter prepares every statement again on every call
// (`client.prepare(sql).bind(args)`): under load that was a twentieth of a token request's CPU.
// This keeps the prepared statements of the one connection Prisma opens, keyed by their SQL text,
// and gives the adapter the same `prepare(...).bind(...)` shape over them. It opens no connection
// of its own (a second connection to the same file from one process can deadlock).
//
// Safe to share a statement because better-sqlite3 is synchronous: the adapter binds, runs and
// reads a statement within one call, so no two uses of a statement ever interleave.
import type BetterSqlite3 from 'better-sqlite3';
import { LRUCache } from 'lru-cache';

type Statement = BetterSqlite3.Statement<unknown[]>;

/** What the adapter does with `prepare(sql)` (BEGIN, COMMIT) or `prepare(sql).bind(args)`: run it, or read its columns and rows. */
class BoundStatement {
  constructor(
    private readonly statement: Statement,
    private readonly args: unknown[] = [],
  ) {}

  bind(args: unknown[]): BoundStatement {
    return new BoundStatement(this.statement, args);
  }

  get reader(): boolean {
    return this.statement.reader;
  }

  run(): BetterSqlite3.RunResult {
    return this.statement.run(this.args);
  }

  columns(): BetterSqlite3.ColumnDefinition[] {
    return this.statement.columns();
  }

  raw(): { all(): unknown[] } {
    const statement = this.statement.raw(true);
    return { all: () => statement.all(this.args) };
  }
}

/** The statements a busy server repeats are few (one per model operation); the bound keeps ad-hoc SQL from piling up. */
const MAX_STATEMENTS = 500;

/** The prepared statements of one connection, by SQL text. */
export class StatementCache {
  readonly #statements = new LRUCache<string, Statement>({ max: MAX_STATEMENTS });

  constructor(readonly db: BetterSqlite3.Database) {}

  statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** The Database the adapter holds, with prepare going through the cache; every other call passes through. */
export function cachingStatements(db: BetterSqlite3.Database, cache = new StatementCache(db)): BetterSqlite3.Database {
  const prepare = (sql: string) => new BoundStatement(cache.statement(sql));
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The adapter factory's shape that matters here: connect() gives an adapter holding `client`. */
interface AdapterFactory {
  connect(): Promise<unknown>;
}

/**
 * Wraps Prisma's better-sqlite3 adapter factory so every connection it makes caches its
 * statements; `connected` gets each connection's cache (raw-sql.ts runs statements on it too).
 */
export function withStatementCache<F extends AdapterFactory>(factory: F, connected: (cache: StatementCache) => void = () => {}): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = (await connect()) as { client: BetterSqlite3.Database };
    const cache = new StatementCache(adapter.client);
    adapter.client = cachingStatements(adapter.client, cache);
    connected(cache);
    return adapter;
  };
  return factory;
}
