// Whether the compiled code in dist/ is older than its sources: shared by `npm run build` (which
// skips the compiler when nothing changed) and the `sesame` CLI (which builds first when stale).
// An installed package or a container image ships dist/ without the sources: never stale there.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'views', 'examples', 'prisma', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** dist/.build-stamp's time is when the last successful build started. */
export const stampPath = (root) => join(root, 'dist', '.build-stamp');

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

/** Newest modification time among the build's inputs and their folders (a few hundred: a few ms). */
function newestInput(root) {
  let latest = 0;
  for (const input of INPUTS) {
    const path = join(root, input);
    if (!existsSync(path)) continue;
    latest = Math.max(latest, mtime(path));
    if (!statSync(path).isDirectory()) continue;
    // Folders too: deleting or renaming a file changes only its folder's time.
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

/** True when dist/ lacks `entry` or some input changed since the last build started. */
export function buildIsStale(root, entry) {
  if (!existsSync(join(root, entry))) return true;
  const stamp = mtime(stampPath(root));
  const newest = newestInput(root);
  // No stamp with sources present: built by hand (tsc), so build once to be sure.
  return newest > stamp;
}
