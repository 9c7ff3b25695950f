// Signing keys by state and the age of the oldest in each state, for alerts such as "no active
// key" or "the active key is older than the rotation interval". The key list is read once after
// each change of the published set (key sync tells us), not on every scrape.
import { Gauge, type Registry } from 'prom-client';
import type { KeyView } from '../domain/keys/key-service.js';

export class KeyMetrics {
  #read: (() => Promise<KeyView[]>) | undefined;
  #keys: KeyView[] = [];
  #stale = true;
  #reading: Promise<KeyView[]> | undefined;
  #generation = 0;

  constructor(registry: Registry, now: () => number = Date.now) {
    const current = () => this.#current();
    new Gauge({
      name: 'sesame_signing_keys',
      help: 'Signing keys by algorithm and state (next, active, retired, revoked, ...).',
      labelNames: ['alg', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const key of await current()) this.inc({ alg: key.alg, state: key.state });
      },
    });
    new Gauge({
      name: 'sesame_signing_key_age_seconds',
      help: 'Seconds since the oldest key of each algorithm and state was created.',
      labelNames: ['alg', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        const oldest = new Map<string, KeyView>();
        for (const key of await current()) {
          const seen = oldest.get(`${key.alg} ${key.state}`);
          if (!seen || key.created_at < seen.created_at) oldest.set(`${key.alg} ${key.state}`, key);
        }
        for (const key of oldest.values()) {
          this.set({ alg: key.alg, state: key.state }, Math.max(0, Math.round((now() - Date.parse(key.created_at)) / 1000)));
        }
      },
    });
  }

  /** Where the key list comes from (the key service). */
  watch(read: () => Promise<KeyView[]>): void {
    this.#read = read;
    this.changed();
  }

  /** The published set changed: read the list again at the next scrape. */
  changed(): void {
    this.#stale = true;
    // A read already under way may predate the change.
    this.#generation++;
    this.#reading = undefined;
  }

  /** Both gauges collect at once: they share one read. */
  #current(): Promise<KeyView[]> {
    if (!this.#stale || !this.#read) return Promise.resolve(this.#keys);
    const generation = this.#generation;
    const settle = () => {
      if (generation === this.#generation) this.#reading = undefined;
    };
    this.#reading ??= this.#read().then(
      (keys) => {
        if (generation === this.#generation) {
          this.#keys = keys;
          this.#stale = false;
        }
        settle();
        return keys;
      },
      () => {
        // The last list stays; key sync counts and logs an unreadable key table.
        settle();
        return this.#keys;
      },
    );
    return this.#reading;
  }
}
