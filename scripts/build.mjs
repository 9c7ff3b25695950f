// `npm run build`: generate the Prisma clients when their schema changed, then compile with tsc,
// all skipped when no input changed since the last build (dist/.build-stamp), so that `npm start`
// on an up-to-date tree starts at once and prints nothing. `--force` builds anyway.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildIsStale, stampPath } from '../bin/build-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!process.argv.includes('--force') && !buildIsStale(root, join('dist', 'src', 'main.js'))) process.exit(0);

const relative = (args) => args.map((a) => a.replace(root + '/', '')).join(' ');
// Tool output (tsc prints its errors on stdout) goes to stderr, so callers' stdout stays clean.
const run = (cmd, args, env = {}) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 'inherit'], env: { ...process.env, ...env } });
  } catch {
    console.error(`build failed: ${relative([cmd, ...args])}`);
    process.exit(1);
  }
};
/** Like run, but the tool's chatter (Prisma's banner) is shown only when it fails. */
const quietly = (cmd, args, env = {}) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: 'pipe', env: { ...process.env, ...env } });
  } catch (/** @type {any} */ error) {
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
    console.error(`build failed: ${relative([cmd, ...args])}`);
    process.exit(1);
  }
};
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

run(process.execPath, ['scripts/schemas.mjs', '--check']);
// Prisma 7's CLI wants its native schema engine before it runs any command and downloads it when
// missing, which these machines cannot do. Generating a client never runs that engine, so naming
// any existing file as the engine satisfies the check (an engine already set is kept).
const engine = { PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };
for (const provider of ['sqlite', 'postgresql']) {
  const schema = join(root, 'prisma', provider, 'schema.prisma');
  const generated = join(root, 'src/db/generated', provider, 'client.ts');
  // Generated again when the schema changed or the dependencies did (a new Prisma version).
  if (mtime(generated) < Math.max(mtime(schema), mtime(join(root, 'package-lock.json')))) {
    quietly(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate'], { SESAME_PRISMA_PROVIDER: provider, ...engine });
    console.error(`build: generated the Prisma client for ${provider}`);
  }
}
// The stamp carries the time tsc started reading: a file saved while it ran is newer than it.
const started = new Date();
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
writeFileSync(stampPath(root), started.toISOString() + '\n');
utimesSync(stampPath(root), started, started);
