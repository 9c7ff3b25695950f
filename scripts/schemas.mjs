// Writes one schema per database from prisma/models.prisma, so the models are written once.
// `node scripts/schemas.mjs --check` exits 1 when a written schema is out of date (used by tests).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const models = readFileSync(join(root, 'prisma/models.prisma'), 'utf8');
const providers = ['sqlite', 'postgresql'];
const check = process.argv.includes('--check');
let stale = false;

for (const provider of providers) {
  const text = `// Written by scripts/schemas.mjs from prisma/models.prisma: edit that file, then run \`npm run schema\`.

generator client {
  provider   = "prisma-client"
  output     = "../../src/db/generated/${provider}"
  moduleFormat = "esm"
  importFileExtension = "js"
}

// No url: Prisma 7 reads it from prisma.config.ts, and the application passes its own connection
// to a driver adapter.
datasource db {
  provider = "${provider}"
}

${models}`;
  const file = join(root, 'prisma', provider, 'schema.prisma');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    console.error(`${file} is out of date: run npm run schema`);
    stale = true;
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
process.exit(stale ? 1 : 0);
