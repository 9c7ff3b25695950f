// Prisma CLI configuration (development tooling only: the application never runs the Prisma CLI).
// The JS schema engine needs no native binary download, which this project's machines cannot do.
// SESAME_PRISMA_PROVIDER picks which schema the CLI works on: sqlite (default) or postgresql.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';

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
  schema: path.join('prisma', provider, 'schema.prisma'),
  async adapter() {
    if (provider === 'postgresql') {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: process.env.PRISMA_POSTGRESQL_URL });
    }
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSQLite3({ url: process.env.PRISMA_SQLITE_URL! });
  },
});
