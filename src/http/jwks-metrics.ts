// Who fetches /jwks, for alerts such as "the next key has reached too few RPs": distinct recent
// fetchers, the share of them holding each family's next key, and whether the activation gate holds
// one. The numbers come from the shared fetcher table, so every instance reports the same values
// (do not sum them across instances); they are read at most once per READ_EVERY_MS, not per scrape.
import { Gauge, type Registry } from 'prom-client';
import type { PickupStatus } from '../domain/keys/jwks-watch.js';

const READ_EVERY_MS = 30_000;

export class JwksMetrics {
  #read: (() => Promise<PickupStatus>) | undefined;
  #last: { at: number; status: Promise<PickupStatus | undefined> } | undefined;

  constructor(registry: Registry, now: () => number = Date.now) {
    const current = async (): Promise<PickupStatus | undefined> => {
      if (!this.#read) return undefined;
      if (!this.#last || now() - this.#last.at >= READ_EVERY_MS) {
        // An unreadable table keeps the gauges empty; the request log and readiness say why.
        this.#last = { at: now(), status: this.#read().catch(() => undefined) };
      }
      return this.#last.status;
    };
    new Gauge({
      name: 'sesame_jwks_recent_fetchers',
      help: 'Distinct /jwks fetchers (source address and User-Agent) seen within JWKS_FETCHER_RETENTION, across all instances.',
      registers: [registry],
      async collect() {
        this.reset();
        const status = await current();
        if (status) this.set(status.recent_fetchers);
      },
    });
    new Gauge({
      name: 'sesame_jwks_next_key_received_ratio',
      help: "Share of the recent /jwks fetchers whose latest key set held the family's next key (absent without fetchers).",
      labelNames: ['alg'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const family of (await current())?.families ?? []) {
          if (family.share !== null) this.set({ alg: family.alg }, family.share);
        }
      },
    });
    new Gauge({
      name: 'sesame_key_activation_held',
      help: "1 while KEY_ACTIVATION_GATE holds the scheduled activation of the family's next key.",
      labelNames: ['alg'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const family of (await current())?.families ?? []) {
          this.set({ alg: family.alg }, family.hold && !family.hold.released_at ? 1 : 0);
        }
      },
    });
  }

  /** Where the numbers come from (the JWKS watch's status). */
  watch(read: () => Promise<PickupStatus>): void {
    this.#read = read;
    this.#last = undefined;
  }
}
