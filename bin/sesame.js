#!/usr/bin/env node
// The `sesame` CLI (package.json "bin"). Runs the compiled CLI, building it first in a fresh
// checkout where dist/ does not exist yet. The build's progress and errors go to stderr, so
// stdout stays clean for --json.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
const stamp = join(root, 'dist', '.build-stamp');

/** Newest modification time under the given folders (a few dozen files: cheap). */
function newest(...dirs) {
  let latest = 0;
  for (const dir of dirs) {
    if (!existsSync(dir)) continue; // an installed package ships dist/ only
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

// Build in a fresh checkout, and after a pull or an edit, so the CLI never runs stale code.
const stale = !existsSync(entry) || (existsSync(stamp) && newest(join(root, 'src'), join(root, 'views'), join(root, 'prisma')) > statSync(stamp).mtimeMs);
if (stale) {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 2, 'inherit'] });
  } catch {
    process.stderr.write('sesame: building the CLI failed (see above); fix it and run npm run build\n');
    process.exit(1);
  }
}

await import(pathToFileURL(entry).href);
