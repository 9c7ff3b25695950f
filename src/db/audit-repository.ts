import type { DbClient } from './database.js';
import type { AlongHolder } from './held-writes.js';
import { Prisma } from './generated/sqlite/client.js';
import type { RawSql } from './raw-sql.js';
import { isStorable, storable } from './text.js';

export interface AuditRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  sourceAddress: string | null;
  details: string;
}

/**
 * The insert of `records` (at least one). Raw, like the provider's saves: Prisma's typed create
 * cost more CPU than the insert itself. Values are bound as Prisma binds them, so `list` reads
 * these rows like any other. An event is kept even when what it names cannot be stored as is (a
 * client_id with NUL from a failed authentication): such characters become U+FFFD. `details` is
 * JSON text, which escapes them already.
 */
export function auditInsertQuery(records: readonly AuditRecord[]): Prisma.Sql {
  const values = records.map(
    ({ id, at, actor, action, target, sourceAddress, details }) =>
      Prisma.sql`(${id}, ${at}, ${storable(actor)}, ${storable(action)}, ${target === null ? null : storable(target)},
                  ${sourceAddress === null ? null : storable(sourceAddress)}, ${details})`,
  );
  return Prisma.sql`
    INSERT INTO "audit_event" ("id", "at", "actor", "action", "target", "sourceAddress", "details")
    VALUES ${Prisma.join(values)}`;
}

/**
 * `sql` (Database.sql) runs the append: every sign-in and consent writes an event. With `along`
 * (request-writes.ts), an event recorded while a request's writes are held goes out with them.
 */
export function createAuditRepository(prisma: DbClient, sql: RawSql, along?: AlongHolder<AuditRecord>) {
  return {
    async append(event: Omit<AuditRecord, 'at'> & { at?: Date }): Promise<void> {
      const record = { ...event, at: event.at ?? new Date() };
      if (along?.holdAlong(record)) return;
      await sql.execute(auditInsertQuery([record]));
    },
    async exists(id: string): Promise<boolean> {
      return isStorable(id) && (await prisma.auditEvent.count({ where: { id } })) > 0;
    },
    /**
     * Newest first; `before` pages backwards through time (an opaque cursor is the last id).
     * `since` is inclusive, `until` exclusive; `party` matches the actor or the target exactly.
     */
    async list(options: { since?: Date; until?: Date; action?: string; party?: string; limit: number; beforeId?: string }): Promise<AuditRecord[]> {
      if ([options.action, options.beforeId, options.party].some((value) => value !== undefined && !isStorable(value))) return [];
      const at = { ...(options.since ? { gte: options.since } : {}), ...(options.until ? { lt: options.until } : {}) };
      return prisma.auditEvent.findMany({
        where: {
          ...(options.since || options.until ? { at } : {}),
          ...(options.action ? { action: options.action } : {}),
          ...(options.party ? { OR: [{ actor: options.party }, { target: options.party }] } : {}),
        },
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: options.limit,
        ...(options.beforeId ? { cursor: { id: options.beforeId }, skip: 1 } : {}),
      });
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
