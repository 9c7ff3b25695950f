// Whether the database can do what every request needs: answer, and accept writes.
//
// A read-only database (an SQLite file opened read-only because of its permissions, a PostgreSQL
// database or replica with default_transaction_read_only) answers SELECT 1 while every sign-in
// fails, so readiness also tries a write that changes nothing: a DELETE that matches no row still
// needs a write transaction and fails there (SQLITE_READONLY; "cannot execute DELETE in a
// read-only transaction"). It does not find storage that fails only when a page is written (a
// full disk): that shows up as errors in the log.
import type { Database } from './database.js';

export type DatabaseHealth = { ok: true } | { ok: false; reason: 'database unreachable' | 'database not writable'; error: unknown };

/** Every request touches this table (sessions, interactions, tokens). */
const WRITE_PROBE = 'DELETE FROM "oidc_payload" WHERE 1 = 0';

export async function databaseHealth(db: Database): Promise<DatabaseHealth> {
  try {
    await db.prisma.$queryRawUnsafe('SELECT 1');
  } catch (error) {
    return { ok: false, reason: 'database unreachable', error };
  }
  try {
    await db.prisma.$executeRawUnsafe(WRITE_PROBE);
  } catch (error) {
    return { ok: false, reason: 'database not writable', error };
  }
  return { ok: true };
}
