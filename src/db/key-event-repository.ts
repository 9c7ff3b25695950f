// Key events and their deliveries (src/domain/keys/key-events.ts, key-event-delivery.ts). Every
// step that more than one instance may try at once is one conditional UPDATE whose count says
// who won: fanning an event out (dispatchedAt from null), claiming a delivery (pending and due, or
// its sender's lease over), finishing it (still ours: the attempt we claimed). Typed Prisma
// calls, so the same code runs on SQLite and PostgreSQL; events are rare, a statement each is fine.
import type { DbClient } from './database.js';

export interface KeyEventRecord {
  id: string;
  type: string;
  kid: string | null;
  /** The CloudEvent, as JSON text: exactly the bytes that are signed and sent. */
  event: string;
  createdAt: Date;
  dispatchedAt: Date | null;
}

export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  eventId: string;
  receiver: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date | null;
  leaseUntil: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
}

/** A delivery this instance holds: the attempt it claimed is `attempts` (a fencing number). */
export interface ClaimedDelivery {
  eventId: string;
  receiver: string;
  attempts: number;
}

export interface AttemptOutcome {
  state: Exclude<DeliveryState, 'sending'>;
  status: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
  at: Date;
}

/** A delivery that may be taken now: pending and due, or sending with its sender's lease over. */
const takeable = (now: Date) => ({
  OR: [
    { state: 'pending', nextAttemptAt: { lte: now } },
    { state: 'sending', leaseUntil: { lte: now } },
  ],
});

export function createKeyEventRepository(prisma: DbClient) {
  return {
    async add(event: Omit<KeyEventRecord, 'createdAt' | 'dispatchedAt'> & { createdAt: Date }): Promise<void> {
      await prisma.keyEvent.create({ data: event });
    },

    /** Events no instance has fanned out yet, oldest first. */
    async undispatched(limit: number): Promise<KeyEventRecord[]> {
      return prisma.keyEvent.findMany({ where: { dispatchedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit });
    },

    /**
     * Fans one event out to these receivers, if no other instance did: the claim and the
     * deliveries in one transaction (a crash between them cannot lose the event). False: taken.
     */
    async dispatch(id: string, receivers: readonly string[], at: Date): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.keyEvent.updateMany({ where: { id, dispatchedAt: null }, data: { dispatchedAt: at } });
        if (count !== 1) return false;
        if (receivers.length > 0) {
          await tx.keyEventDelivery.createMany({
            data: receivers.map((receiver) => ({ eventId: id, receiver, state: 'pending', attempts: 0, nextAttemptAt: at })),
          });
        }
        return true;
      });
    },

    /** Deliveries to these receivers that may be taken now, oldest due first. */
    async due(receivers: readonly string[], now: Date, limit: number): Promise<DeliveryRecord[]> {
      return prisma.keyEventDelivery.findMany({
        where: { receiver: { in: [...receivers] }, ...takeable(now) },
        orderBy: [{ nextAttemptAt: 'asc' }, { eventId: 'asc' }],
        take: limit,
      });
    },

    /** When the earliest delivery to these receivers that is not takeable yet becomes takeable (null: none waits). */
    async nextDue(receivers: readonly string[]): Promise<Date | null> {
      const receiver = { in: [...receivers] };
      const [pending, sending] = await Promise.all([
        prisma.keyEventDelivery.findFirst({ where: { receiver, state: 'pending' }, orderBy: { nextAttemptAt: 'asc' }, select: { nextAttemptAt: true } }),
        prisma.keyEventDelivery.findFirst({ where: { receiver, state: 'sending' }, orderBy: { leaseUntil: 'asc' }, select: { leaseUntil: true } }),
      ]);
      const times = [pending?.nextAttemptAt, sending?.leaseUntil].filter((t): t is Date => t instanceof Date);
      return times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
    },

    /**
     * Takes a delivery seen as `seen` for one attempt until `leaseUntil`: one UPDATE that matches
     * only if it is still takeable and nobody took it since (same attempt count). Null: not ours.
     */
    async claim(seen: DeliveryRecord, now: Date, leaseUntil: Date): Promise<ClaimedDelivery | null> {
      const { eventId, receiver, attempts } = seen;
      const { count } = await prisma.keyEventDelivery.updateMany({
        where: { eventId, receiver, attempts, ...takeable(now) },
        data: { state: 'sending', leaseUntil, attempts: attempts + 1, lastAttemptAt: now },
      });
      return count === 1 ? { eventId, receiver, attempts: attempts + 1 } : null;
    },

    /** Records how the claimed attempt went; false when it was no longer ours (its lease ran out and another took it). */
    async finish(claimed: ClaimedDelivery, outcome: AttemptOutcome): Promise<boolean> {
      const { count } = await prisma.keyEventDelivery.updateMany({
        where: { eventId: claimed.eventId, receiver: claimed.receiver, attempts: claimed.attempts, state: 'sending' },
        data: {
          state: outcome.state,
          leaseUntil: null,
          lastStatus: outcome.status,
          lastError: outcome.error,
          nextAttemptAt: outcome.nextAttemptAt,
          ...(outcome.state === 'delivered' ? { deliveredAt: outcome.at } : {}),
        },
      });
      return count === 1;
    },

    /** Gives a claimed attempt back unsent (shutdown): due again now, the attempt not counted. */
    async release(claimed: ClaimedDelivery, now: Date): Promise<void> {
      await prisma.keyEventDelivery.updateMany({
        where: { eventId: claimed.eventId, receiver: claimed.receiver, attempts: claimed.attempts, state: 'sending' },
        data: { state: 'pending', leaseUntil: null, attempts: claimed.attempts - 1, nextAttemptAt: now },
      });
    },

    async find(id: string): Promise<KeyEventRecord | null> {
      return prisma.keyEvent.findUnique({ where: { id } });
    },

    /**
     * The newest events with their deliveries. `failing`: only those with a delivery that failed
     * for good or whose last attempt failed (pending again after at least one attempt).
     */
    async list(options: { limit: number; failing?: boolean }): Promise<(KeyEventRecord & { deliveries: DeliveryRecord[] })[]> {
      return prisma.keyEvent.findMany({
        where: options.failing ? { deliveries: { some: { OR: [{ state: 'failed' }, { state: 'pending', attempts: { gt: 0 } }] } } } : {},
        include: { deliveries: { orderBy: { receiver: 'asc' } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: options.limit,
      });
    },

    /** Deletes events created before `cutoff` that nothing is left to send for; returns how many. */
    async deleteSettledBefore(cutoff: Date): Promise<number> {
      const { count } = await prisma.keyEvent.deleteMany({
        where: { createdAt: { lt: cutoff }, dispatchedAt: { not: null }, deliveries: { none: { state: { in: ['pending', 'sending'] } } } },
      });
      return count;
    },
  };
}

export type KeyEventRepository = ReturnType<typeof createKeyEventRepository>;
