import type { DbClient } from './database.js';
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

export function createAuditRepository(prisma: DbClient) {
  return {
    /**
     * An event is kept even when what it names cannot be stored as is (a client_id with NUL from a
     * failed authentication): such characters become U+FFFD. `details` is JSON text, which
     * escapes them already.
     */
    async append(event: Omit<AuditRecord, 'at'> & { at?: Date }): Promise<void> {
      const { actor, action, target, sourceAddress } = event;
      await prisma.auditEvent.create({
        data: {
          ...event,
          actor: storable(actor),
          action: storable(action),
          target: target === null ? null : storable(target),
          sourceAddress: sourceAddress === null ? null : storable(sourceAddress),
        },
      });
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
