// Changes to existing rows that SQL cannot make on both databases. Each step belongs to the SQL
// migration of the same name in prisma/<provider>/migrations and runs right after that file, in
// the same transaction (src/db/migrate.ts). A step is one read plus the statements computed from
// its rows, so the runner can apply it without yielding on SQLite (better-sqlite3 blocks the thread
// while another connection waits for the lock) and with the driver's promises on PostgreSQL.
import { concealPayload, isBearerSecret, storedKeyFor } from './payload-at-rest.js';
import type { Payload } from './provider-payloads.js';

/** One statement with `?` placeholders (the runner numbers them for PostgreSQL). */
export interface Statement {
  sql: string;
  params: string[];
}

export interface DataStep {
  read: string;
  write(rows: readonly Record<string, unknown>[]): Statement[];
}

const UPDATE_PAYLOAD_ROW = 'UPDATE "oidc_payload" SET "id" = ?, "payload" = ? WHERE "model" = ? AND "id" = ?';

function parseObject(text: string): Payload | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rows stored before ids were hashed: keyed by the id as presented, with copies of it in the
 * payload. Each moves under its digest and loses the copies, exactly as the adapter writes rows
 * now, so every token, code and session issued before the upgrade keeps working after it. This
 * uses the current rules on purpose: a later change to them comes with its own migration.
 */
const hashBearerIdsAtRest: DataStep = {
  read: 'SELECT "model", "id", "payload" FROM "oidc_payload"',
  write(rows) {
    const statements: Statement[] = [];
    for (const { model, id, payload } of rows) {
      if (typeof model !== 'string' || typeof id !== 'string' || typeof payload !== 'string') continue;
      if (!isBearerSecret(model)) continue;
      const parsed = parseObject(payload);
      // A payload that is not a JSON object was never written by the adapter: its key still moves.
      const stored = parsed ? JSON.stringify(concealPayload(model, id, parsed)) : payload;
      statements.push({ sql: UPDATE_PAYLOAD_ROW, params: [storedKeyFor(model, id), stored, model, id] });
    }
    return statements;
  },
};

export const DATA_STEPS: ReadonlyMap<string, DataStep> = new Map([['20261202022847_hash_bearer_ids_at_rest', hashBearerIdsAtRest]]);
