// Applies the SQL migrations in prisma/<provider>/migrations that the database has not seen.
//
// Why not `prisma migrate deploy`: the application would need the Prisma CLI at run time, and
// @prisma/adapter-pg 6.19 fails every migrate command on PostgreSQL (prisma/orm#27403). This
// runner talks to the drivers directly, records each migration in `_prisma_migrations` exactly
// as Prisma does (so `prisma migrate status` still agrees), and serialises concurrent starts:
// a transaction-scoped advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite. Both databases
// run DDL inside the transaction, so a failed migration leaves nothing half-applied.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../config.js';
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
      throw new MigrationError(
        `migration ${migration.name} was changed after it was applied; restore it and add a new migration instead`,
      );
    }
  }
  return migrations.filter((migration) => !seen.has(migration.name));
}

async function migrateSqlite(file: string, migrations: Migration[]): Promise<string[]> {
  const { default: Database } = await import('better-sqlite3');
  prepareSqliteFile(file);
  const db = new Database(file, { timeout: 30_000 });
  try {
    db.pragma('journal_mode = WAL');
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

export async function migrate(config: DatabaseConfig): Promise<MigrateResult> {
  const migrations = readMigrations(config.provider);
  const applied =
    config.provider === 'sqlite'
      ? await migrateSqlite(config.file, migrations)
      : await migratePostgres(config.url, migrations);
  return { applied, total: migrations.length };
}
