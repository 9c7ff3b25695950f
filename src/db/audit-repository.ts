import type { DbClient } from './database.js';

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
    async append(event: Omit<AuditRecord, 'at'> & { at?: Date }): Promise<void> {
      await prisma.auditEvent.create({ data: event });
    },
    async exists(id: string): Promise<boolean> {
      return (await prisma.auditEvent.count({ where: { id } })) > 0;
    },
    /** Newest first; `before` pages backwards through time (an opaque cursor is the last id). */
    list(options: { since?: Date; action?: string; limit: number; beforeId?: string }): Promise<AuditRecord[]> {
      return prisma.auditEvent.findMany({
        where: {
          ...(options.since ? { at: { gte: options.since } } : {}),
          ...(options.action ? { action: options.action } : {}),
        },
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: options.limit,
        ...(options.beforeId ? { cursor: { id: options.beforeId }, skip: 1 } : {}),
      });
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
