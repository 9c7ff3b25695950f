// What a request writes, held until it has its answer (held-writes.ts): the provider's rows and the
// audit records the request made (a sign-in, a consent). On PostgreSQL both go out as one
// statement, the audit insert in a WITH clause of the rows' upsert: one round trip where there
// were two. SQLite has no writing WITH clause: there they are two statements, each a call into the
// same process.
//
// An audit record never fails what it records (audit-service.ts): when the one statement fails,
// the records and the rows are sent again each on their own, so that records that cannot be
// stored are only reported (`auditNotStored`) and rows that cannot be stored fail the request.
import { auditInsertQuery, type AuditRecord } from './audit-repository.js';
import type { Database } from './database.js';
import { Prisma } from './generated/sqlite/client.js';
import { HeldWrites, type HeldRow } from './held-writes.js';
import { upsertQuery, type PayloadColumns } from './oidc-payload-repository.js';
import type { RawSql } from './raw-sql.js';

export type RequestWrites = HeldWrites<PayloadColumns, AuditRecord>;

export function createRequestWrites(
  sql: RawSql,
  provider: Database['provider'],
  auditNotStored: (error: unknown, records: readonly AuditRecord[]) => void,
): RequestWrites {
  const storeAudit = async (records: readonly AuditRecord[]) => {
    try {
      await sql.execute(auditInsertQuery(records));
    } catch (error) {
      auditNotStored(error, records);
    }
  };
  return new HeldWrites<PayloadColumns, AuditRecord>(async (rows: HeldRow<PayloadColumns>[], records: AuditRecord[]) => {
    const now = new Date();
    if (records.length === 0) {
      await sql.execute(upsertQuery(rows, now));
      return;
    }
    if (rows.length === 0) {
      await storeAudit(records);
      return;
    }
    if (provider === 'postgresql') {
      try {
        await sql.execute(Prisma.sql`WITH "recorded" AS (${auditInsertQuery(records)}) ${upsertQuery(rows, now)}`);
        return;
      } catch {
        // Sent again below, each on its own: which of the two failed decides what the request gets.
      }
    }
    await storeAudit(records);
    await sql.execute(upsertQuery(rows, now));
  });
}
