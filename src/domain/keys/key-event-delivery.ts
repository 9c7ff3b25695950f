// Sends key events to the KEY_EVENTS_WEBHOOK_URL receivers, from the database (key-events.ts
// stores them): whatever instance or CLI made a change, a running server delivers it, and a
// restart or a crash loses nothing that was stored. Each pass:
//   1. fans out the events no instance has taken up yet: one delivery per receiver (and counts
//      each event once, on the instance that took it);
//   2. sends the deliveries that are due, each claimed first (one conditional UPDATE), so that of
//      several instances exactly one sends a given attempt; a sender that dies mid-attempt leaves
//      a lease that runs out, and another instance tries again.
// An attempt is a POST of the event as a compact JWS (application/jose), signed with the active
// signing key at the time of sending; any 2xx delivers it. Otherwise it is tried again after the
// next of KEY_EVENTS_RETRY_DELAYS; after the last, it has failed (listed by `sesame keys events`).
import type { KeyEventsConfig } from '../../config.js';
import type { ClaimedDelivery, DeliveryRecord, KeyEventRepository } from '../../db/key-event-repository.js';
import type { Logger } from '../../logger.js';
import type { Signer } from './event-signer.js';
import { KEY_EVENT_TYPE_PREFIX, receiverLabel } from './key-events.js';

/** The JWS header's `typ`: the payload is a CloudEvent in its JSON format. */
export const KEY_EVENT_JWS_TYPE = 'cloudevents+json';
export const KEY_EVENT_CONTENT_TYPE = 'application/jose';

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed';

export interface KeyEventDeliveryOptions {
  outbox: KeyEventRepository;
  signer: Signer;
  config: KeyEventsConfig;
  log: Logger;
  /** How often the database is checked for events made elsewhere (the CLI, other instances). */
  pollIntervalMs: number;
  /** An event this instance took up (once per event across instances): the counter by type. */
  dispatched?: (type: string) => void;
  /** An attempt's outcome: the counter of deliveries. */
  attempted?: (outcome: DeliveryOutcome) => void;
  /** How long past the timeout a claimed attempt stays this instance's before another may take it. */
  leaseMarginMs?: number;
  /** Deliveries sent at once. */
  concurrency?: number;
}

export interface KeyEventDelivery {
  /** Runs a pass now (an event was just stored here), or once more after the one under way. */
  wake(): void;
  /** One pass, awaited (tests). */
  runOnce(): Promise<void>;
  /** Stops the timer and waits for the pass under way; attempts in flight are cut and given back. */
  stop(): Promise<void>;
}

const BATCH = 50;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MAX_ERROR_LENGTH = 300;

/** Why an attempt failed, in one short line: the status, a timeout, or the network error (never the response body). */
function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000}s`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  // fetch's own message is only "fetch failed"; the cause says what (connect ECONNREFUSED 10.0.0.5:443).
  const text = cause?.message || cause?.code || (error instanceof Error ? error.message : String(error));
  return text.slice(0, MAX_ERROR_LENGTH);
}

export function startKeyEventDelivery(options: KeyEventDeliveryOptions): KeyEventDelivery {
  const { outbox, signer, config, log, pollIntervalMs } = options;
  if (!(pollIntervalMs > 0 && pollIntervalMs <= MAX_TIMEOUT_MS)) throw new RangeError(`pollIntervalMs out of range: ${pollIntervalMs}`);
  const leaseMs = config.timeout + (options.leaseMarginMs ?? 30_000);
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = config.retryDelays.length + 1;
  const stopping = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  async function dispatch(): Promise<void> {
    for (const event of await outbox.undispatched(BATCH)) {
      if (stopped) return;
      if (!(await outbox.dispatch(event.id, config.receivers, new Date()))) continue;
      options.dispatched?.(event.type.slice(KEY_EVENT_TYPE_PREFIX.length));
      if (config.receivers.length > 0) log.debug('key event dispatched', { id: event.id, type: event.type, receivers: config.receivers.length });
    }
  }

  async function send(delivery: DeliveryRecord, claimed: ClaimedDelivery): Promise<void> {
    const event = await outbox.find(delivery.eventId);
    const receiver = receiverLabel(delivery.receiver);
    const fields = { id: delivery.eventId, type: event?.type, receiver, attempt: claimed.attempts };
    let status: number | null = null;
    let error: string | null = null;
    try {
      if (!event) throw new Error('the event is gone');
      const jws = await signer.sign(new TextEncoder().encode(event.event), KEY_EVENT_JWS_TYPE);
      const response = await fetch(delivery.receiver, {
        method: 'POST',
        headers: { 'content-type': KEY_EVENT_CONTENT_TYPE, 'user-agent': 'Sesame key events' },
        body: jws,
        // A redirect is not a delivery: the receiver's URL is what was configured.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(config.timeout), stopping.signal]),
      });
      status = response.status;
      await response.body?.cancel().catch(() => {});
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (caught) {
      if (stopping.signal.aborted) {
        // Shutting down: not the receiver's failure. Due again at once, for whichever instance runs.
        await outbox.release(claimed, new Date()).catch(() => {});
        return;
      }
      error = describeError(caught, config.timeout);
    }
    const at = new Date();
    const delivered = error === null;
    const failed = !delivered && claimed.attempts >= maxAttempts;
    const nextAttemptAt = delivered || failed ? null : new Date(at.getTime() + config.retryDelays[claimed.attempts - 1]!);
    const ours = await outbox.finish(claimed, { state: delivered ? 'delivered' : failed ? 'failed' : 'pending', status, error, nextAttemptAt, at });
    if (!ours) {
      log.warn('key event attempt outlasted its lease; another instance took the delivery over', fields);
      return;
    }
    const outcome: DeliveryOutcome = delivered ? 'delivered' : failed ? 'failed' : 'retrying';
    options.attempted?.(outcome);
    if (delivered) log.info('key event delivered', { ...fields, status });
    else if (failed) log.error('key event delivery failed: no attempts left', { ...fields, status, error });
    else log.warn('key event delivery attempt failed; trying again later', { ...fields, status, error, next_attempt_at: nextAttemptAt!.toISOString() });
  }

  async function deliverDue(): Promise<void> {
    // Only to the receivers this instance has: another instance may have one it lacks (a rollout).
    if (config.receivers.length === 0) return;
    const due = await outbox.due(config.receivers, new Date(), BATCH);
    let next = 0;
    const worker = async () => {
      while (next < due.length && !stopped) {
        const delivery = due[next++]!;
        const now = new Date();
        const claimed = await outbox.claim(delivery, now, new Date(now.getTime() + leaseMs));
        if (claimed) await send(delivery, claimed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
  }

  async function pass(): Promise<void> {
    try {
      await dispatch();
      await deliverDue();
    } catch (error) {
      log.warn('key event delivery pass failed; trying again', { err: error });
    }
  }

  /** Sleeps until the next poll, or sooner when a delivery is due before it. */
  async function schedule(): Promise<void> {
    if (stopped) return;
    let wait = pollIntervalMs;
    try {
      const due = config.receivers.length > 0 ? await outbox.nextDue(config.receivers) : null;
      if (due) wait = Math.min(wait, Math.max(0, due.getTime() - Date.now()));
    } catch {
      // The next pass reports a database that cannot be read.
    }
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), wait);
    // Delivery alone must not keep the process alive.
    timer.unref();
  }

  function run(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    clearTimeout(timer);
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
      await schedule();
    })().finally(() => (running = undefined));
    return running;
  }

  void run();
  return {
    wake: () => void run(),
    runOnce: async () => {
      await running;
      await run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      stopping.abort();
      await running;
    },
  };
}
