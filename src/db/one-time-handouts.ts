// Rows read ahead of the request that will ask for them: each is handed out at most once, within a
// short time of being read, and then forgotten. A Map in insertion order is enough, because every
// entry lives equally long: the oldest are always at the front, and each `set` drops the front
// entries that have expired (or exceed `max`). lru-cache was used here before, but an entry taken
// is also deleted, and deleting the last entry made it refill its preallocated arrays (`max` long)
// on nearly every request: 3.6% of the CPU of serving userinfo.

export interface OneTimeHandoutsOptions {
  /** Entries held at most; the oldest go first. */
  max: number;
  /** How long an entry may wait to be taken. */
  ttlMs: number;
  /** Milliseconds since some fixed point (tests pass their own clock). */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  until: number;
}

export class OneTimeHandouts<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: OneTimeHandoutsOptions) {
    this.#max = options.max;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? performance.now.bind(performance);
  }

  set(key: string, value: V): void {
    const now = this.#now();
    // Re-inserted, so that the Map's order stays the order of expiry.
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: now + this.#ttlMs });
    for (const [oldest, entry] of this.#entries) {
      if (entry.until > now && this.#entries.size <= this.#max) break;
      this.#entries.delete(oldest);
    }
  }

  /** The entry's value, once: it is removed whether or not it was still fresh. */
  take(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    return entry.until > this.#now() ? entry.value : undefined;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** How long a row read ahead waits for the find that asks for it. */
const READ_AHEAD_TTL_MS = 1_000;

/**
 * Rows read along with another statement of the same request (a join onto it), left for the find
 * that asks for them next: each handed out once, within a second; after that, the find reads.
 */
export class ReadAhead<V> {
  readonly #rows = new OneTimeHandouts<V>({ max: 10_000, ttlMs: READ_AHEAD_TTL_MS });

  /** Leaves what was read for `key`. */
  leave(key: string, value: V): void {
    this.#rows.set(key, value);
  }

  /** What was read ahead for `key`, once; undefined when nothing was. */
  take(key: string): V | undefined {
    return this.#rows.take(key);
  }

  /** This instance changed the row: what was read before must not be handed out. */
  forget(key: string): void {
    this.#rows.delete(key);
  }
}
