// `npm run build`: generate the Prisma clients when their schema changed, then compile with tsc
// (incremental, so an up-to-date tree builds in about a second). `npm start` runs this first.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Tool output (tsc prints its errors on stdout) goes to stderr, so callers' stdout stays clean.
const run = (cmd, args, env = {}) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 'inherit'], env: { ...process.env, ...env } });
  } catch {
    console.error(`build failed: ${[cmd, ...args].map((a) => a.replace(root + '/', '')).join(' ')}`);
    process.exit(1);
  }
};
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

run(process.execPath, ['scripts/schemas.mjs', '--check']);
for (const provider of ['sqlite', 'postgresql']) {
  const schema = join(root, 'prisma', provider, 'schema.prisma');
  const generated = join(root, 'src/db/generated', provider, 'client.ts');
  if (mtime(generated) < mtime(schema)) {
    run(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
      SESAME_PRISMA_PROVIDER: provider,
    });
  }
}
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
// bin/sesame.js compares its sources against this stamp to know whether to build first.
writeFileSync(join(root, 'dist', '.build-stamp'), new Date().toISOString() + '\n');
