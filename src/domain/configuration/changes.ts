// What an apply does, one change per thing: the plan a dry run prints, the list --json returns,
// and what the real run carries out through the domain services (audit, checks and change
// propagation as for the CLI and the admin API).
import type { By } from '../audit/actions.js';

export interface FieldChange {
  field: string;
  /** Absent: the field was not set (create) or is removed. Secrets are never values here. */
  from?: unknown;
  to?: unknown;
  /** Instead of values (secrets): what happens, e.g. "set from env CLIENT_APP_SECRET". */
  note?: string;
}

export interface Change {
  action: 'create' | 'update' | 'delete';
  /** The section's kind: client, user (later: group, membership). */
  kind: string;
  /** What the file names it by: a client_id, an email. */
  id: string;
  fields: FieldChange[];
}

/** A change with the work that makes it; `run` may return what must be shown once (a generated secret). */
export interface PlannedChange {
  change: Change;
  run(by: By): Promise<Record<string, unknown> | void>;
}

const show = (value: unknown) => (value === undefined || value === null ? '(none)' : JSON.stringify(value));

/** The readable diff: `+ client app`, `~ user a@example.com` with `field: old → new`, `- client old`. */
export function describeChanges(changes: Change[]): string[] {
  const sign = { create: '+', update: '~', delete: '-' } as const;
  return changes.flatMap((c) => [
    `${sign[c.action]} ${c.kind} ${c.id}`,
    ...c.fields.map((f) => {
      if (f.note !== undefined) return `    ${f.field}: ${f.note}`;
      if (c.action === 'update') return `    ${f.field}: ${show(f.from)} → ${show(f.to)}`;
      return `    ${f.field}: ${show(c.action === 'create' ? f.to : f.from)}`;
    }),
  ]);
}
