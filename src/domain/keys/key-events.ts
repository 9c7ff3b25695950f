// Key events: every key state change the key service records in the audit log (`key.*`) is also
// a CloudEvent, stored for delivery to the KEY_EVENTS_WEBHOOK_URL receivers (key-event-delivery.ts).
// The key service knows nothing of it: the audit recorder it is given records each `key.*` entry
// here too (withKeyEvents), so a new action such as `key.activation_held` is an event with no
// change here. Events carry what the audit entry carries (never a secret, never key material) and
// who acted, not from where.
import { randomUUID } from 'node:crypto';
import type { DeliveryRecord, DeliveryState, KeyEventRecord, KeyEventRepository } from '../../db/key-event-repository.js';
import type { Logger } from '../../logger.js';
import type { AuditEntry, AuditRecorder, By } from '../audit/actions.js';

/** CloudEvents `type` of an audit action: `key.activated` → `dev.sesame.key.activated`. */
export const KEY_EVENT_TYPE_PREFIX = 'dev.sesame.';

const isKeyAction = (action: string) => action.startsWith('key.');

/** The state a key is in after the change, where the action alone says it (a created key's is in its details). */
const STATE_AFTER: Record<string, string> = {
  'key.activated': 'active',
  'key.reinstated': 'active',
  'key.retired': 'retired',
  'key.revoked': 'revoked',
  'key.deleted': 'deleted',
  'key.grants_revoked': 'revoked',
  'key.activation_held': 'next',
};

/** A CloudEvents 1.0 event in its JSON format (structured mode). */
export interface KeyCloudEvent {
  specversion: '1.0';
  id: string;
  /** The issuer. */
  source: string;
  type: string;
  time: string;
  /** The kid. */
  subject?: string;
  datacontenttype: 'application/json';
  data: KeyEventData;
}

export interface KeyEventData {
  kid: string | null;
  alg: string | null;
  /** The key's state after the change (`deleted` once it is gone). */
  state: string | null;
  reason: string | null;
  /** Who made the change: system, cli:<user>, client:<client_id>, user:<sub>. */
  by: string;
  /** What else the audit entry says (`forced`, a count, ...). */
  [detail: string]: unknown;
}

/** The event for an audit entry; undefined when it is not a key change. */
export function keyEventOf(by: By, entry: AuditEntry, source: string, id: string, time: Date): KeyCloudEvent | undefined {
  if (!isKeyAction(entry.action)) return undefined;
  const details: Record<string, unknown> = 'details' in entry && entry.details ? { ...entry.details } : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const kid = text(details.kid) ?? (entry.target?.startsWith('key:') ? entry.target.slice('key:'.length) : null);
  const data: KeyEventData = {
    ...details,
    kid,
    alg: text(details.alg),
    state: text(details.state) ?? STATE_AFTER[entry.action] ?? null,
    reason: text(details.reason),
    by: by.actor,
  };
  return {
    specversion: '1.0',
    id,
    source,
    type: `${KEY_EVENT_TYPE_PREFIX}${entry.action}`,
    time: time.toISOString(),
    ...(kid ? { subject: kid } : {}),
    datacontenttype: 'application/json',
    data,
  };
}

/** One receiver's delivery of an event, as the CLI and the admin API show it. */
export interface KeyEventDeliveryView {
  /** The receiver's URL without its query (which may hold a token). */
  receiver: string;
  /** pending (waiting for its next attempt), sending, delivered, or failed (no attempts left). */
  state: DeliveryState;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
}

export interface KeyEventView {
  id: string;
  type: string;
  time: string;
  kid: string | null;
  data: KeyEventData;
  /** When an instance took it up and created its deliveries; null: no server has yet. */
  dispatched_at: string | null;
  deliveries: KeyEventDeliveryView[];
}

/** Where the URL points, without a query or credentials that could be secret. */
export function receiverLabel(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

function deliveryView(delivery: DeliveryRecord): KeyEventDeliveryView {
  return {
    receiver: receiverLabel(delivery.receiver),
    state: delivery.state as DeliveryState,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    last_attempt_at: iso(delivery.lastAttemptAt),
    next_attempt_at: delivery.state === 'pending' ? iso(delivery.nextAttemptAt) : null,
    delivered_at: iso(delivery.deliveredAt),
  };
}

function eventView(record: KeyEventRecord & { deliveries: DeliveryRecord[] }): KeyEventView {
  const event = JSON.parse(record.event) as KeyCloudEvent;
  return {
    id: record.id,
    type: record.type,
    time: event.time,
    kid: record.kid,
    data: event.data,
    dispatched_at: iso(record.dispatchedAt),
    deliveries: record.deliveries.map(deliveryView),
  };
}

/** How long events stay listed once nothing is left to send for them. */
export const KEY_EVENT_RETENTION_MS = 90 * 86_400_000;

export interface KeyEventServiceOptions {
  /** The issuer: every event's `source`. */
  issuer: string;
  log: Logger;
}

export function createKeyEventService(repo: KeyEventRepository, options: KeyEventServiceOptions) {
  const listeners = new Set<() => void>();
  return {
    /** Stores the event of a `key.*` audit entry (other entries are ignored). Never throws, like the audit log. */
    async record(by: By, entry: AuditEntry): Promise<void> {
      const time = new Date();
      const event = keyEventOf(by, entry, options.issuer, randomUUID(), time);
      if (!event) return;
      try {
        await repo.add({ id: event.id, type: event.type, kid: event.data.kid, event: JSON.stringify(event), createdAt: time });
      } catch (error) {
        options.log.error('key event could not be stored', { type: event.type, kid: event.data.kid, err: error });
        return;
      }
      options.log.info('key event', { id: event.id, type: event.type, kid: event.data.kid, state: event.data.state, by: by.actor });
      for (const listener of listeners) listener();
    },

    /** Called after each event this process stores (the delivery worker starts on it at once). */
    onRecorded(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** The newest events with their deliveries; `failing`: only those whose delivery failed (retrying or given up). */
    async list(opts: { limit?: number; failing?: boolean } = {}): Promise<KeyEventView[]> {
      const limit = Math.min(Math.max(opts.limit ?? 20, 1), 500);
      return (await repo.list({ limit, ...(opts.failing ? { failing: true } : {}) })).map(eventView);
    },

    /** Forgets events older than the retention that nothing is left to send for (the sweeper). */
    deleteExpired(now: Date): Promise<number> {
      return repo.deleteSettledBefore(new Date(now.getTime() - KEY_EVENT_RETENTION_MS));
    },

    /** The store the delivery worker works through. */
    outbox: repo,
  };
}

export type KeyEventService = ReturnType<typeof createKeyEventService>;

/** The audit recorder the key service gets: each entry goes to the audit log, and each `key.*` one becomes a key event too. */
export function withKeyEvents(audit: AuditRecorder, events: Pick<KeyEventService, 'record'>): AuditRecorder {
  return {
    async record(by, entry) {
      await audit.record(by, entry);
      if (isKeyAction(entry.action)) await events.record(by, entry);
    },
  };
}
