// CPU per Prisma call on SQLite: `npm run build && node bench/prisma-calls.mjs [calls]`.
// Opens a scratch database the way the server does (dist/src/db), then times, one call at a time:
// a findUnique by primary key, a typed upsert, the same upsert as $executeRaw, the adapter's
// batched find of one token (with its grant) as Sesame runs it (Database.sql) and in the row-value
// IN-list shape it had before, and for scale the same find as a prepared better-sqlite3 statement. CPU is the whole process's (user + system)
// divided by the calls, after a warm-up; run it on a quiet machine and compare runs, not machines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// The built server modules, loaded by URL: the scripts' type check stays out of dist/ (compiled output).
const dist = (/** @type {string} */ path) => import(new URL(`../dist/src/${path}`, import.meta.url).href);
const { openDatabase } = await dist('db/database.js');
const { migrate } = await dist('db/migrate.js');
const { batchedFindQuery } = await dist('db/oidc-payload-repository.js');
const { Prisma } = await dist('db/generated/sqlite/client.js');

const calls = Number(process.argv[2] ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'sesame-bench-'));
const file = join(dir, 'bench.db');
const config = { provider: 'sqlite', url: `file:${file}`, file };
await migrate(config);
const db = await openDatabase(config);
const prisma = db.prisma;
const { version } = (await import('@prisma/client/package.json', { with: { type: 'json' } })).default;

const payload = JSON.stringify({ kind: 'AccessToken', accountId: 'a'.repeat(24), scope: 'openid profile email' });
const expiresAt = new Date(Date.now() + 3_600_000);
for (let i = 0; i < 1000; i++) {
  await prisma.oidcPayload.create({ data: { model: 'Grant', id: `grant-${i}`, payload, expiresAt } });
  await prisma.oidcPayload.create({ data: { model: 'AccessToken', id: `token-${i}`, grantId: `grant-${i}`, payload, expiresAt } });
}

/** The batched find's earlier shape (row-value IN lists), kept here to compare with. */
function inListFindQuery(/** @type {{ model: string, key: string }[]} */ wanted, /** @type {Date} */ now) {
  const pairs = Prisma.join(wanted.map(({ model, key }) => Prisma.sql`(${model}, ${key})`));
  const live = Prisma.sql`("expiresAt" IS NULL OR "expiresAt" > ${now})`;
  return Prisma.sql`
    SELECT "model", "id", "uid", "payload", "consumedAt" FROM "oidc_payload" WHERE ("model", "id") IN (${pairs}) AND ${live}
    UNION ALL
    SELECT "model", "id", "uid", "payload", "consumedAt" FROM "oidc_payload"
    WHERE ("model", "id") IN (SELECT 'Grant', "grantId" FROM "oidc_payload" WHERE ("model", "id") IN (${pairs}) AND "grantId" IS NOT NULL) AND ${live}
    UNION ALL
    SELECT "model", "id", "uid", "payload", "consumedAt" FROM "oidc_payload"
    WHERE ("model", "uid") IN (SELECT 'Session', "uid" FROM "oidc_payload" WHERE ("model", "id") IN (${pairs}) AND ("model" || '') = 'Interaction' AND "uid" IS NOT NULL)
      AND "uid" IS NOT NULL AND ${live}`;
}
const oneToken = (/** @type {number} */ i) => [{ model: 'AccessToken', key: `token-${i % 1000}` }];

/** Runs `call(i)` `calls` times one after another (after a warm-up of a tenth) and returns ms per call. */
async function time(call) {
  for (let i = 0; i < calls / 10; i++) await call(i);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call(i);
  const wall = Number(process.hrtime.bigint() - started) / 1e6 / calls;
  const { user, system } = process.cpuUsage(cpu);
  return { cpu: (user + system) / 1000 / calls, wall };
}

const results = {
  'findUnique by id': await time((i) => prisma.oidcPayload.findUnique({ where: { model_id: { model: 'AccessToken', id: `token-${i % 1000}` } } })),
  'upsert (typed)': await time((i) =>
    prisma.oidcPayload.upsert({
      where: { model_id: { model: 'Session', id: `session-${i % 1000}` } },
      create: { model: 'Session', id: `session-${i % 1000}`, payload, expiresAt },
      update: { payload, expiresAt },
    }),
  ),
  'upsert ($executeRaw)': await time(
    (i) => prisma.$executeRaw`
      INSERT INTO "oidc_payload" ("model", "id", "payload", "expiresAt") VALUES ('Grant', ${`grant-${i % 1000}`}, ${payload}, ${expiresAt})
      ON CONFLICT ("model", "id") DO UPDATE SET "payload" = excluded."payload", "expiresAt" = excluded."expiresAt"`,
  ),
  'batched find (raw, as Sesame runs it)': await time((i) => db.sql.query(batchedFindQuery(oneToken(i), new Date()))),
  'batched find (earlier IN-list shape)': await time((i) => db.sql.query(inListFindQuery(oneToken(i), new Date()))),
};
await db.close();

// The floor: the same find as a prepared statement on a second connection (the Prisma one is closed).
const direct = new Database(file);
const find = direct.prepare('SELECT * FROM "oidc_payload" WHERE "model" = ? AND "id" = ?');
results['findUnique as a prepared statement'] = await time((i) => find.get('AccessToken', `token-${i % 1000}`));
direct.close();
rmSync(dir, { recursive: true, force: true });

console.log(`Prisma ${version}, SQLite, Node ${process.version}, ${calls} calls each (ms per call)`);
for (const [name, { cpu, wall }] of Object.entries(results)) {
  console.log(`${name.padEnd(40)} cpu ${cpu.toFixed(3)}  wall ${wall.toFixed(3)}`);
}
