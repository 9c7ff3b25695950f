// Fresh, migrated databases for tests: a temporary SQLite file, and (when TEST_DATABASE_URL is
// set) a brand-new PostgreSQL database created next to the one the URL names.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { TEST_DATABASE_URL } from './environment.js';

export interface TestDatabase {
  config: DatabaseConfig;
  /** DATABASE_URL for a child process. */
  url: string;
  drop(): Promise<void>;
}

export type Provider = DatabaseConfig['provider'];

/** The providers this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const PROVIDERS: Provider[] = TEST_DATABASE_URL ? ['sqlite', 'postgresql'] : ['sqlite'];

export async function createTestDatabase(provider: Provider, { migrated = true } = {}): Promise<TestDatabase> {
  let db: TestDatabase;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-test-'));
    const file = join(dir, 'sesame.db');
    db = {
      config: { provider: 'sqlite', url: `file:${file}`, file },
      url: `file:${file}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  } else {
    if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
    const name = `sesame_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    db = {
      config: { provider: 'postgresql', url: url.toString() },
      url: url.toString(),
      drop: async () => {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.end();
      },
    };
  }
  if (migrated) await migrate(db.config);
  return db;
}
