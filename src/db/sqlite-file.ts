// The SQLite database holds password hashes, sealed keys and client secrets: only its owner may
// read it. SQLite gives the -wal and -shm files it creates the database file's mode, so making
// that file owner-only before SQLite first opens it covers all three.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_FOLDER = 0o700;
const GROUP_AND_OTHERS = 0o077;

/**
 * Takes group and other permissions off a file this process owns (a database or WAL that an
 * earlier version created 0644). A file it cannot change (another owner, a read-only mount) is
 * left as it is: the operator chose that.
 */
function tighten(file: string): void {
  if (!existsSync(file)) return;
  const { mode, uid } = statSync(file);
  if ((mode & GROUP_AND_OTHERS) === 0 || uid !== process.getuid?.()) return;
  try {
    chmodSync(file, mode & 0o700);
  } catch (error) {
    if (!['EPERM', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

/**
 * Before SQLite opens `file`: creates its folder owner-only (0700) when missing, and the file
 * owner-only (0600), or tightens one that exists. A folder that exists keeps its mode: it may be
 * shared (/var/lib, /tmp); only its database files are Sesame's.
 */
export function prepareSqliteFile(file: string): void {
  if (file === ':memory:') return;
  mkdirSync(dirname(file), { recursive: true, mode: OWNER_ONLY_FOLDER });
  try {
    // SQLite takes an empty file as a new database. 'wx': another process may have just made it.
    writeFileSync(file, '', { flag: 'wx', mode: OWNER_ONLY_FILE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) tighten(path);
}
