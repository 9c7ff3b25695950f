#!/usr/bin/env node
// The `sesame` CLI (package.json "bin"). Runs the compiled CLI, building it first in a fresh
// checkout where dist/ does not exist yet. The build's progress and errors go to stderr, so
// stdout stays clean for --json.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIsStale } from './build-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join('dist', 'src', 'cli', 'main.js');

// Build in a fresh checkout, and after a pull or an edit, so the CLI never runs stale code.
if (buildIsStale(root, entry)) {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 2, 'inherit'] });
  } catch {
    process.stderr.write('sesame: building the CLI failed (see above); fix it and run npm run build\n');
    process.exit(1);
  }
}

await import(pathToFileURL(join(root, entry)).href);
