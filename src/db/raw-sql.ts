// The adapter's hot statements (each token, code, session and interaction saved, found, consumed,
// removed) go to the driver Prisma itself uses, on Prisma's own connection or pool, rather than
// through Prisma's raw-query API: that API runs every raw statement through its query
// interpreter, which cost more CPU than the statement did. Each statement is still a Prisma.Sql
// (the same tagged template, with its values bound as parameters, never spliced in), and its
// values are bound exactly as Prisma's adapters bind them, so rows written either way compare and
// read back the same.
//
// SQLite: the connection Prisma opened (its statements cached: sqlite-statement-cache.ts), no
// second one. Its queries are synchronous, so what runs here runs alone, as in Prisma's adapter.
// PostgreSQL: the pool Prisma's adapter draws from, with each statement prepared once per
// connection (a named statement), which Prisma's adapter does not do.
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Prisma } from './generated/sqlite/client.js';
import type { StatementCache } from './sqlite-statement-cache.js';

export interface RawSql {
  /** Rows of a read, as the driver gives them (SQLite: DateTime as its stored text; PostgreSQL: as `timestamp` text, UTC). */
  query<T>(statement: Prisma.Sql): Promise<T[]>;
  /** Rows changed by a write. */
  execute(statement: Prisma.Sql): Promise<number>;
}

/**
 * A DateTime column as a raw read gives it back: SQLite's stored text (ISO-8601 with its offset, as
 * Prisma and sqliteValue write it, or CURRENT_TIMESTAMP's UTC 'YYYY-MM-DD HH:MM:SS' of a column
 * default) or milliseconds since the epoch (how Prisma's native engine stored it, and its adapter's
 * `unixepoch-ms` format), PostgreSQL's timestamp(3) as UTC wall-clock text (postgresRawSql reads
 * every value as text), or a Date.
 */
export function dateOf(value: Date | string | number | bigint | null): Date | null {
  if (value === null || value instanceof Date) return value;
  if (typeof value !== 'string') return new Date(Number(value));
  return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

/** A Boolean column as a raw read gives it back: SQLite's 0 or 1 (a BigInt on Prisma's statements, which read integers safely), PostgreSQL's 't' or 'f' (as text). */
export function booleanOf(value: RawBoolean): boolean {
  return value === true || value === 1 || value === 1n || value === 't';
}

export type RawBoolean = boolean | number | bigint | string;

/** An Int column as a raw read gives it back (SQLite: a number, or a BigInt on Prisma's statements; PostgreSQL: text); `Number()` reads each. */
export type RawInteger = number | bigint | string;

/** As @prisma/adapter-better-sqlite3 binds (timestampFormat iso8601): Date as ISO-8601 text with +00:00, booleans as 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export function sqliteRawSql(connection: () => StatementCache, counted: (sql: string) => void): RawSql {
  return {
    query<T>(statement: Prisma.Sql): Promise<T[]> {
      counted(statement.sql);
      // Objects, not the arrays Prisma's adapter asks the same cached statement for.
      const prepared = connection().statement(statement.sql).raw(false) as BetterSqlite3.Statement<unknown[], T>;
      return Promise.resolve(prepared.all(...statement.values.map(sqliteValue)));
    },
    execute(statement: Prisma.Sql): Promise<number> {
      counted(statement.sql);
      return Promise.resolve(
        connection()
          .statement(statement.sql)
          .run(...statement.values.map(sqliteValue)).changes,
      );
    },
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** As @prisma/adapter-pg binds a Date: UTC wall-clock text, which timestamp(3) stores as it reads. */
function postgresValue(value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  const ms = value.getUTCMilliseconds();
  return (
    `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ` +
    `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''}`
  );
}

/** Every value as the text PostgreSQL sent: node-postgres would read `timestamp` as local time. */
const AS_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

export function postgresRawSql(pool: pg.Pool, counted: (sql: string) => void): RawSql {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `sesame_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
  const run = (statement: Prisma.Sql) => {
    counted(statement.text);
    return pool.query({ name: nameOf(statement.text), text: statement.text, values: statement.values.map(postgresValue), types: AS_TEXT });
  };
  return {
    query: async <T>(statement: Prisma.Sql) => (await run(statement)).rows as T[],
    execute: async (statement: Prisma.Sql) => (await run(statement)).rowCount ?? 0,
  };
}
