// /jwks fetches counted in memory, per fetcher (source address and User-Agent), and written to the
// database every few seconds in one batch: /jwks stays a memory read, whatever its request rate.
// The fetcher is stored only as a keyed digest (HMAC under KEY_ENCRYPTION_SECRET): the table can be
// neither read nor brute-forced back into addresses without the secret. What the database has is at
// most one flush interval behind this instance's memory; `flush` catches it up at once (the gate
// and the status call it before they count).
import type { FetcherBatchRow } from '../../db/jwks-fetcher-repository.js';
import type { Logger } from '../../logger.js';

interface Pending {
  source: string;
  userAgent: string;
  firstSeenAt: number;
  lastSeenAt: number;
  fetches: number;
  kids: string;
}

export interface FetchTallyOptions {
  /** Writes one batch (the repository's record). */
  write(rows: FetcherBatchRow[]): Promise<void>;
  /** The keyed digest a fetcher is stored under. */
  digest(value: string): string;
  log: Logger;
  now?: () => number;
}

/** Distinct fetchers kept between two flushes; more in one interval are counted as dropped, not kept. */
export const MAX_PENDING = 10_000;
/** Enough to tell clients apart; an attacker's 8 KB header is not kept whole. */
const MAX_USER_AGENT = 256;

export class FetchTally {
  #pending = new Map<string, Pending>();
  #dropped = 0;
  #flushing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  readonly #options: FetchTallyOptions;
  readonly #now: () => number;

  constructor(options: FetchTallyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** One fetch that received the key set `kids` (`,kid,kid,`): a 200, or a 304 on the current ETag. */
  record(source: string, userAgent: string | undefined, kids: string): void {
    const ua = (userAgent ?? '').slice(0, MAX_USER_AGENT);
    const key = `${source}\n${ua}`;
    const at = this.#now();
    const seen = this.#pending.get(key);
    if (seen) {
      seen.fetches++;
      seen.lastSeenAt = at;
      seen.kids = kids;
      return;
    }
    if (this.#pending.size >= MAX_PENDING) {
      this.#dropped++;
      return;
    }
    this.#pending.set(key, { source, userAgent: ua, firstSeenAt: at, lastSeenAt: at, fetches: 1, kids });
  }

  /** Fetchers counted and not yet written. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Writes what was counted since the last flush; flushes never overlap. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#dropped > 0) {
      this.#options.log.warn('more distinct /jwks fetchers in one interval than counted', { kept: MAX_PENDING, dropped: this.#dropped });
      this.#dropped = 0;
    }
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const rows = [...batch.values()].map((p) => ({
      id: this.#options.digest(`${p.source}\n${p.userAgent}`),
      firstSeenAt: new Date(p.firstSeenAt),
      lastSeenAt: new Date(p.lastSeenAt),
      fetches: p.fetches,
      kids: p.kids,
    }));
    try {
      await this.#options.write(rows);
    } catch (error) {
      this.#options.log.warn('could not write /jwks fetcher counts: kept for the next try', { err: error });
      // Merged back under the newer counts, within the bound.
      for (const [key, old] of batch) {
        const now = this.#pending.get(key);
        if (now) {
          now.fetches += old.fetches;
          now.firstSeenAt = Math.min(now.firstSeenAt, old.firstSeenAt);
        } else if (this.#pending.size < MAX_PENDING) this.#pending.set(key, old);
      }
    }
  }

  /** Flushes every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
