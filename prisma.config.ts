// Prisma 7 CLI configuration (development tooling only: the application never runs the Prisma CLI).
// `npm run build` runs `prisma generate` with it. SESAME_PRISMA_PROVIDER picks which schema the
// CLI works on: sqlite (default) or postgresql. The url is only read by commands that talk to a
// database (migrate status and the like), which need Prisma's native schema engine: these
// machines cannot download it, so new migrations are written by scripts/new-migration.mjs with
// the Prisma 6.19 CLI and prisma-diff.config.ts instead.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const provider = process.env.SESAME_PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite';
const url =
  provider === 'postgresql'
    ? (process.env.PRISMA_POSTGRESQL_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
    : (process.env.PRISMA_SQLITE_URL ?? 'file:./data/prisma-cli.db');

export default defineConfig({
  schema: path.join('prisma', provider, 'schema.prisma'),
  migrations: { path: path.join('prisma', provider, 'migrations') },
  datasource: { url },
});
