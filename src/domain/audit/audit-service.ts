// The audit log: every admin change and security event, with who, what, to what, when and from
// where. What may be recorded is typed in actions.ts. Recording never fails the action it records
// (a failed write is logged instead), and no secret gets in: besides the types, details are
// checked for secret-looking keys before they are stored. An event recorded while a request's
// writes are held (a sign-in, a consent) is stored with them, before the answer goes out
// (db/request-writes.ts).
import type { AuditRecord, AuditRepository } from '../../db/audit-repository.js';
import type { Logger } from '../../logger.js';
import type { AuditEntry, By } from './actions.js';
import { auditEventId } from './event-id.js';

export interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  source_address: string | null;
  details: Record<string, unknown>;
}

const SECRET_KEYS = /pass(word)?|secret|token|private|(^|_)d$|cookie/i;

/** Drops any detail whose key looks like it could hold a secret: the log must never carry one. */
function scrub(details: object = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !SECRET_KEYS.test(key)));
}

function toEvent(record: AuditRecord): AuditEvent {
  return {
    id: record.id,
    at: record.at.toISOString(),
    actor: record.actor,
    action: record.action,
    target: record.target,
    source_address: record.sourceAddress,
    details: JSON.parse(record.details) as Record<string, unknown>,
  };
}

/** An event the database refused: logged, one line each, never thrown (recording never fails what it records). */
export function reportNotStored(log: Logger, error: unknown, actions: readonly string[]): void {
  for (const action of actions) log.error('audit event could not be stored', { action, err: error });
}

export function createAuditService(repo: AuditRepository, log: Logger) {
  return {
    async record(by: By, entry: AuditEntry): Promise<void> {
      try {
        await repo.append({
          id: auditEventId(),
          actor: by.actor,
          action: entry.action,
          target: entry.target ?? null,
          sourceAddress: by.sourceAddress ?? null,
          details: JSON.stringify(scrub('details' in entry ? entry.details : {})),
        });
      } catch (error) {
        reportNotStored(log, error, [entry.action]);
      }
    },

    /** Whether an event with this id (a paging cursor) exists. */
    exists(id: string): Promise<boolean> {
      return repo.exists(id);
    },

    async list(
      options: { since?: Date; until?: Date; action?: string; party?: string; limit?: number; cursor?: string } = {},
    ): Promise<{ events: AuditEvent[]; next_cursor: string | null }> {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
      const records = await repo.list({
        limit: limit + 1,
        ...(options.since ? { since: options.since } : {}),
        ...(options.until ? { until: options.until } : {}),
        ...(options.party ? { party: options.party } : {}),
        ...(options.action ? { action: options.action } : {}),
        ...(options.cursor ? { beforeId: options.cursor } : {}),
      });
      const page = records.slice(0, limit);
      return { events: page.map(toEvent), next_cursor: records.length > limit ? page.at(-1)!.id : null };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
