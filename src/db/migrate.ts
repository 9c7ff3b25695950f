// Applies the SQL migrations in prisma/<provider>/migrations that the database has not seen.
//
// Why not `prisma migrate deploy`: the application would need the Prisma CLI at run time, and
// Prisma 7's CLI runs a native schema engine it downloads (these machines cannot; Prisma 6.19's
// Wasm engine worked, but its @prisma/adapter-pg failed every migrate command, prisma/orm#27403). This
// runner talks to the drivers directly, records each migration in `_prisma_migrations` exactly
// as Prisma does (so `prisma migrate status` still agrees), and serialises concurrent starts:
// a transaction-scoped advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite. Both databases
// run DDL inside the transaction, so a failed migration leaves nothing half-applied. A migration
// may carry a data step in code (data-migrations.ts), applied right after its SQL in the same
// transaction.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../config.js';
import { DATA_STEPS, type Statement } from './data-migrations.js';
import { prepareSqliteFile } from './sqlite-file.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  total: number;
}

export interface MigrateOptions {
  /** Stop after this migration (tests build a database as an earlier version left it). */
  until?: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

function findMigrationsDir(provider: DatabaseConfig['provider']): string {
  // Works from src/db (tests) and from dist/src/db (built): walk up to the folder with prisma/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'prisma', provider, 'migrations');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new MigrationError(`prisma/${provider}/migrations not found next to the application`);
}

export function readMigrations(provider: DatabaseConfig['provider']): Migration[] {
  const root = findMigrationsDir(provider);
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(root, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const LOCK_ID = 7_275_636_173; // any constant shared by every Sesame instance

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const POSTGRES_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

function pending(migrations: Migration[], applied: AppliedRow[]): Migration[] {
  const seen = new Map(applied.map((row) => [row.migration_name, row.checksum]));
  for (const migration of migrations) {
    const checksum = seen.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new MigrationError(`migration ${migration.name} was changed after it was applied; restore it and add a new migration instead`);
    }
  }
  return migrations.filter((migration) => !seen.has(migration.name));
}

/** `?` placeholders numbered the PostgreSQL way ($1, $2, ...). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A read only (WAL: it waits for no writer): whether every migration is already applied, unchanged. */
function upToDate(db: import('better-sqlite3').Database, migrations: Migration[]): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
  if (!table) return false;
  const applied = db
    .prepare('SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
    .all() as AppliedRow[];
  return pending(migrations, applied).length === 0;
}

async function migrateSqlite(file: string, migrations: Migration[]): Promise<string[]> {
  const { default: Database } = await import('better-sqlite3');
  prepareSqliteFile(file);
  const db = new Database(file, { timeout: 30_000 });
  // Nothing below awaits: another connection of this process waiting for the lock would block
  // the thread, and this transaction with it.
  const runDataStep = (name: string) => {
    const step = DATA_STEPS.get(name);
    if (!step) return;
    const statements = new Map<string, ReturnType<typeof db.prepare<string[]>>>();
    for (const { sql, params } of step.write(db.prepare(step.read).all() as Record<string, unknown>[])) {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare<string[]>(sql)));
      statement.run(...params);
    }
  };
  try {
    db.pragma('journal_mode = WAL');
    // Every CLI command migrates first: when nothing is pending (the usual case) a read says so, and
    // no write lock is taken that a running server (whose own transactions would have to wait) could feel.
    if (upToDate(db, migrations)) return [];
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(SQLITE_TABLE);
      const applied = db
        .prepare('SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
        .all() as AppliedRow[];
      const todo = pending(migrations, applied);
      const record = db.prepare(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      );
      for (const migration of todo) {
        const startedAt = Date.now();
        db.exec(migration.sql);
        runDataStep(migration.name);
        record.run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
      }
      db.exec('COMMIT');
      return todo.map((m) => m.name);
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const runDataStep = async (name: string) => {
    const step = DATA_STEPS.get(name);
    if (!step) return;
    const { rows } = await client.query<Record<string, unknown>>(step.read);
    const statements: Statement[] = step.write(rows);
    for (const { sql, params } of statements) await client.query(numbered(sql), params);
  };
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
      await client.query(POSTGRES_TABLE);
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      );
      const todo = pending(migrations, rows);
      for (const migration of todo) {
        const startedAt = new Date();
        // Simple-query protocol: a migration file may hold many statements.
        await client.query(migration.sql);
        await runDataStep(migration.name);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
      }
      await client.query('COMMIT');
      return todo.map((m) => m.name);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  } finally {
    await client.end();
  }
}

function selectMigrations(all: Migration[], until: string | undefined): Migration[] {
  for (const name of DATA_STEPS.keys()) {
    if (!all.some((m) => m.name === name)) throw new MigrationError(`data step ${name} has no migration of that name`);
  }
  if (until === undefined) return all;
  const last = all.findIndex((m) => m.name === until);
  if (last < 0) throw new MigrationError(`no migration named ${until}`);
  return all.slice(0, last + 1);
}

export async function migrate(config: DatabaseConfig, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = selectMigrations(readMigrations(config.provider), options.until);
  const applied = config.provider === 'sqlite' ? await migrateSqlite(config.file, migrations) : await migratePostgres(config.url, migrations);
  return { applied, total: migrations.length };
}
