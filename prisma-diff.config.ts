// Prisma 6.19 CLI configuration, for scripts/new-migration.mjs only (`npm run migration`).
// The application and the build use Prisma 7 (prisma.config.ts). Prisma 7's `migrate diff` needs
// a native schema engine these machines cannot download; Prisma 6.19's Wasm engine needs none when
// the engine is "js" with a driver adapter, so the dev dependency `prisma-diff` (npm:prisma@6.19.3)
// writes the SQL of new migrations. The schemas it reads are temporary copies with a datasource url.
// SESAME_PRISMA_PROVIDER picks the database: sqlite (default) or postgresql.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma-diff/config';

const provider = process.env.SESAME_PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite';
// A scratch file the JS engine opens for SQLite commands; its folder may not exist in a fresh clone.
if (provider === 'sqlite' && !process.env.PRISMA_SQLITE_URL) {
  mkdirSync('data', { recursive: true });
  process.env.PRISMA_SQLITE_URL = 'file:./data/prisma-cli.db';
}
// The JS engine opens a connection even for offline diffs; any reachable database will do.
process.env.PRISMA_POSTGRESQL_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  // new-migration.mjs names its temporary schema, which the CLI reads first to see which engines it needs.
  schema: process.env.SESAME_DIFF_SCHEMA ?? path.join('prisma', provider, 'schema.prisma'),
  async adapter() {
    if (provider === 'postgresql') {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: process.env.PRISMA_POSTGRESQL_URL });
    }
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSqlite3({ url: process.env.PRISMA_SQLITE_URL! });
  },
});
