// A read-through cache for rows every request reads and admins rarely change (clients, accounts).
// Only what was found is kept: something missing is asked for again, so a client or user created on
// another instance is found at once. A change drops the entry here (`forget`) and, through the
// change feed, everywhere else (`forgetAll`); the TTL bounds staleness should a notice ever be lost.
import { LRUCache } from 'lru-cache';

export interface ReadThroughCacheOptions {
  /** Entries kept at most (the least recently used go first). */
  max: number;
  /** How long an entry may be served without asking the database again. */
  ttlMs: number;
}

export class ReadThroughCache<V extends object> {
  readonly #entries: LRUCache<string, V>;
  /**
   * Goes up with every forget: a load that started before a change must not store what it read,
   * or the change would be undone here until the TTL ran out.
   */
  #generation = 0;

  constructor(options: ReadThroughCacheOptions) {
    this.#entries = new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs });
  }

  async get(key: string, load: (key: string) => Promise<V | undefined>): Promise<V | undefined> {
    const cached = this.#entries.get(key);
    if (cached) return cached;
    const generation = this.#generation;
    const value = await load(key);
    if (value && generation === this.#generation) this.#entries.set(key, value);
    return value;
  }

  forget(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  forgetAll(): void {
    this.#generation++;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
