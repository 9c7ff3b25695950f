// `npm run migration -- NAME`: writes prisma/<provider>/migrations/<timestamp>_NAME/migration.sql
// for both databases from the change to prisma/models.prisma since the last commit (or from an
// empty database for the first migration). Review the SQL, then commit the models and both
// migrations together. No database of the project's is read or written; Prisma's JS engine
// still connects to some PostgreSQL server to diff PostgreSQL schemas (SQLite needs nothing).
//
// The diff is Prisma 6.19's (the dev dependency `prisma-diff`, npm:prisma@6.19.3, with
// prisma-diff.config.ts): Prisma 7's needs a native schema engine these machines cannot download,
// 6.19's Wasm engine needs none. 6.19 wants a datasource url in the schemas it reads and Prisma 7
// schemas have none, so it diffs temporary schemas of the models that name one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run migration -- NAME   (NAME in lower_snake_case)');
  process.exit(2);
}
/** Fails with one line, writing nothing. */
const stop = (message) => {
  console.error(`npm run migration: ${message}`);
  process.exit(1);
};

// Same default as prisma.config.ts: a local server's maintenance database, only connected to.
process.env.PRISMA_POSTGRESQL_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
const postgresUrl = process.env.PRISMA_POSTGRESQL_URL;
const shown = () => {
  const url = URL.canParse(postgresUrl) ? new URL(postgresUrl) : undefined;
  if (url?.password) url.password = '***';
  return url?.toString() ?? postgresUrl;
};
// Checked before anything is written: one migration without the other would be worse than none.
const server = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
try {
  await server.connect();
} catch (/** @type {any} */ error) {
  stop(
    `the PostgreSQL migration needs a PostgreSQL server to diff against and none answers at ${shown()} ` +
      `(${error.code ?? error.message}): start one, or set PRISMA_POSTGRESQL_URL to any server you can reach (nothing is written there)`,
  );
} finally {
  await server.end().catch(() => {});
}

execFileSync(process.execPath, [join(root, 'scripts/schemas.mjs')], { cwd: root, stdio: 'inherit' });
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const tmp = mkdtempSync(join(tmpdir(), 'sesame-migration-'));

/**
 * A schema for prisma-diff: the models under a datasource that names the url prisma-diff.config.ts
 * sets, and a generator (never run) whose engineType "client" tells the 6.19 CLI that it needs no
 * query engine; without it the CLI would try to download one.
 */
function diffSchema(provider, models, file) {
  const path = join(tmp, file);
  const header = [
    'generator client {\n  provider   = "prisma-client"\n  output     = "unused"\n  engineType = "client"\n}',
    `datasource db {\n  provider = "${provider}"\n  url      = env("PRISMA_${provider.toUpperCase()}_URL")\n}`,
  ];
  writeFileSync(path, `${header.join('\n\n')}\n\n${models}`);
  return path;
}

/** Prisma 6.19's diff as SQL; its own message (not a stack trace) when it fails. */
function diff(provider, from, schema) {
  try {
    return execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/prisma-diff/build/index.js'),
        'migrate',
        'diff',
        '--config',
        join(root, 'prisma-diff.config.ts'),
        ...from,
        '--to-schema-datamodel',
        schema,
        '--script',
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SESAME_PRISMA_PROVIDER: provider, SESAME_DIFF_SCHEMA: schema } },
    );
  } catch (/** @type {any} */ error) {
    const said = `${error.stderr ?? ''}`.replace(/^Loaded Prisma config from .*$/m, '').trim();
    return stop(`prisma migrate diff failed for ${provider}: ${said || error.message}`);
  }
}

const migrations = [];
for (const provider of ['sqlite', 'postgresql']) {
  const dir = join(root, 'prisma', provider, 'migrations');
  const first = !existsSync(dir) || readdirSync(dir).filter((d) => !d.endsWith('.toml')).length === 0;
  const schema = diffSchema(provider, readFileSync(join(root, 'prisma/models.prisma'), 'utf8'), `${provider}.prisma`);
  let from = ['--from-empty'];
  if (!first) {
    const previousModels = execFileSync('git', ['show', 'HEAD:prisma/models.prisma'], { cwd: root, encoding: 'utf8' });
    from = ['--from-schema-datamodel', diffSchema(provider, previousModels, `${provider}-previous.prisma`)];
  }
  migrations.push({ provider, dir, sql: diff(provider, from, schema) });
}

// Both diffs succeeded: now write them.
for (const { provider, dir, sql } of migrations) {
  if (/^-- This is an empty migration\./m.test(sql)) {
    console.log(`${provider}: no change`);
    continue;
  }
  mkdirSync(join(dir, `${stamp}_${name}`), { recursive: true });
  writeFileSync(join(dir, `${stamp}_${name}`, 'migration.sql'), sql);
  writeFileSync(
    join(dir, 'migration_lock.toml'),
    `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
  );
  console.log(`wrote prisma/${provider}/migrations/${stamp}_${name}/migration.sql`);
}
