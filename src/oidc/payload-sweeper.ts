// Background cleanup of expired oidc-provider rows. Reads already ignore expired rows; this only
// keeps the table (and its indexes) from growing without bound.
import type { OidcPayloadRepository } from '../db/oidc-payload-repository.js';

export interface PayloadSweeperOptions {
  payloads: Pick<OidcPayloadRepository, 'deleteExpired'>;
  intervalMs: number;
  /** Rows per DELETE: small batches keep each write lock short (SQLite has one writer). */
  batchSize?: number;
  log?: (msg: string, err: unknown) => void;
  /** Other tables with expiring rows (failed-attempt counters, console sessions), swept alike. */
  others?: ReadonlyArray<{ name: string; deleteExpired(now: Date): Promise<number> }>;
}

export interface PayloadSweeper {
  /** Cancels the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

const DEFAULT_BATCH_SIZE = 500;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function startPayloadSweeper({ payloads, intervalMs, batchSize = DEFAULT_BATCH_SIZE, log, others = [] }: PayloadSweeperOptions): PayloadSweeper {
  // setTimeout fires at once for anything outside this range, which would hammer the database.
  if (!(intervalMs > 0 && intervalMs <= MAX_TIMEOUT_MS)) throw new RangeError(`intervalMs out of range: ${intervalMs}`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function sweep(): Promise<void> {
    const now = new Date();
    try {
      // A full batch means there may be more; stop early when asked to shut down.
      let deleted: number;
      do {
        deleted = await payloads.deleteExpired(now, batchSize);
      } while (deleted === batchSize && !stopped);
    } catch (err) {
      log?.('expired oidc payload cleanup failed', err);
    }
    for (const other of others) {
      if (stopped) return;
      try {
        await other.deleteExpired(now);
      } catch (err) {
        log?.(`expired ${other.name} cleanup failed`, err);
      }
    }
  }

  // The next run is scheduled only after the previous one finished, so runs never overlap.
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().then(schedule);
    }, intervalMs);
    // Cleanup alone must not keep the process alive.
    timer.unref();
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
