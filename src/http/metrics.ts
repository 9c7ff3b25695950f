// Prometheus metrics through prom-client. Each app instance has its own registry (tests run
// several servers in one process); the process metrics (CPU, memory, event loop, GC) exist once
// per process and are shared. Labels stay low-cardinality: route patterns or the provider's route
// names, never raw paths.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Middleware } from 'koa';
import type { KeyView } from '../domain/keys/key-service.js';
import type { PickupStatus } from '../domain/keys/jwks-watch.js';
import { JwksMetrics } from './jwks-metrics.js';
import { KeyMetrics } from './key-metrics.js';
import { routeOf, statusOf } from './route-of.js';

let processRegistry: Registry | undefined;

/** collectDefaultMetrics per app would start one set of event-loop and GC observers per app. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The sign-in page's events (http/interactions/router.ts) that are sign-in outcomes. */
const SIGN_IN_OUTCOMES: Record<string, string> = {
  'login.succeeded': 'success',
  'login.failed': 'failure',
  'login.throttled': 'throttled',
};

export class Metrics {
  readonly #own = new Registry();
  /** What /metrics serves: made once every metric of this instance is registered. */
  readonly #registry: Registry;
  readonly #keys = new KeyMetrics(this.#own);
  readonly #jwksFetchers = new JwksMetrics(this.#own);
  #signing: () => boolean = () => true;

  readonly #duration = new Histogram({
    name: 'sesame_http_request_duration_seconds',
    help: 'HTTP requests by method, route (pattern or oidc-provider route name; unknown when none matched) and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.#own],
  });
  readonly #jwks = new Counter({
    name: 'sesame_jwks_requests_total',
    help: 'Requests for /jwks by status (304: the fetcher already had the current set; 429: over JWKS_RATE_LIMIT).',
    labelNames: ['status'],
    registers: [this.#own],
  });
  readonly #tokens = new Counter({
    name: 'sesame_tokens_issued_total',
    help: 'Successful token endpoint responses by grant type.',
    labelNames: ['grant_type'],
    registers: [this.#own],
  });
  readonly #signIns = new Counter({
    name: 'sesame_sign_ins_total',
    help: 'Password sign-ins by outcome: success, failure, throttled (once per lock and email and address).',
    labelNames: ['outcome'],
    registers: [this.#own],
  });
  readonly #keySyncFailures = new Counter({
    name: 'sesame_key_sync_failures_total',
    help: 'Key sync ticks that failed (key table unreadable, or a key this instance cannot decrypt).',
    registers: [this.#own],
  });

  readonly #keyEvents = new Counter({
    name: 'sesame_key_events_total',
    help: 'Key events by type (key.created, key.activated, ...), counted by the instance that took each one up: summed over instances, each event once.',
    labelNames: ['type'],
    registers: [this.#own],
  });
  readonly #keyEventDeliveries = new Counter({
    name: 'sesame_key_event_deliveries_total',
    help: 'Key event delivery attempts to KEY_EVENTS_WEBHOOK_URL receivers by outcome: delivered, retrying (failed, tried again later), failed (no attempts left).',
    labelNames: ['outcome'],
    registers: [this.#own],
  });

  constructor() {
    const signing = () => this.#signing();
    new Gauge({
      name: 'sesame_signing',
      help: '1 while this instance signs with the published key set, 0 while it has stopped.',
      registers: [this.#own],
      collect() {
        this.set(signing() ? 1 : 0);
      },
    });
    this.#registry = Registry.merge([processMetrics(), this.#own]);
  }

  /** A key sync tick that failed (the table unreadable, or a key that cannot be decrypted). */
  keySyncFailed(): void {
    this.#keySyncFailures.inc();
  }

  /** Where sesame_signing reads whether this instance signs with the published key set. */
  watchSigning(signing: () => boolean): void {
    this.#signing = signing;
  }

  /** Where the signing key gauges read the key list (once per change, see keysChanged). */
  watchKeys(read: () => Promise<KeyView[]>): void {
    this.#keys.watch(read);
  }

  /** Where the JWKS fetcher gauges read their numbers (at most every 30 s). */
  watchJwks(read: () => Promise<PickupStatus>): void {
    this.#jwksFetchers.watch(read);
  }

  /** The published key set changed. */
  keysChanged(): void {
    this.#keys.changed();
  }

  /** A key event this instance took up for delivery (key-event-delivery.ts). */
  keyEvent(type: string): void {
    this.#keyEvents.inc({ type });
  }

  /** A key event delivery attempt's outcome. */
  keyEventDelivery(outcome: 'delivered' | 'retrying' | 'failed'): void {
    this.#keyEventDeliveries.inc({ outcome });
  }

  tokenIssued(grantType: string): void {
    this.#tokens.inc({ grant_type: grantType });
  }

  /** A sign-in page event; those that are not sign-in outcomes are ignored. */
  signInEvent(event: string): void {
    const outcome = SIGN_IN_OUTCOMES[event];
    if (outcome) this.#signIns.inc({ outcome });
  }

  middleware(): Middleware {
    return async (ctx, next) => {
      const end = this.#duration.startTimer();
      try {
        await next();
      } finally {
        const route = routeOf(ctx);
        const status = String(statusOf(ctx));
        end({ method: ctx.method, route, status });
        if (route === '/jwks') this.#jwks.inc({ status });
      }
    };
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  render(): Promise<string> {
    return this.#registry.metrics();
  }
}
