// A few Prometheus counters, kept in process. Labels stay low-cardinality: method and status only.
import type { Middleware } from 'koa';

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #startedAt = Date.now();
  #keySyncFailures = 0;
  #signing: () => boolean = () => true;

  /** A key sync tick that failed (the table unreadable, or a key that cannot be decrypted). */
  keySyncFailed(): void {
    this.#keySyncFailures += 1;
  }

  /** Where sesame_signing reads whether this instance signs with the published key set. */
  watchSigning(signing: () => boolean): void {
    this.#signing = signing;
  }

  middleware(): Middleware {
    return async (ctx, next) => {
      try {
        await next();
      } finally {
        // For requests handed to oidc-provider, ctx.res carries the status it actually sent.
        const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
        const key = `method="${ctx.method}",status="${status}"`;
        this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
      }
    };
  }

  render(): string {
    const lines = [
      '# HELP sesame_http_requests_total HTTP requests by method and status.',
      '# TYPE sesame_http_requests_total counter',
      ...[...this.#requests].map(([labels, count]) => `sesame_http_requests_total{${labels}} ${count}`),
      '# HELP sesame_uptime_seconds Seconds since this instance started.',
      '# TYPE sesame_uptime_seconds gauge',
      `sesame_uptime_seconds ${Math.round((Date.now() - this.#startedAt) / 1000)}`,
      '# HELP sesame_key_sync_failures_total Key sync ticks that failed (key table unreadable, or a key this instance cannot decrypt).',
      '# TYPE sesame_key_sync_failures_total counter',
      `sesame_key_sync_failures_total ${this.#keySyncFailures}`,
      '# HELP sesame_signing 1 while this instance signs with the published key set, 0 while it has stopped.',
      '# TYPE sesame_signing gauge',
      `sesame_signing ${this.#signing() ? 1 : 0}`,
      '# HELP sesame_heap_used_bytes V8 heap in use.',
      '# TYPE sesame_heap_used_bytes gauge',
      `sesame_heap_used_bytes ${process.memoryUsage().heapUsed}`,
    ];
    return lines.join('\n') + '\n';
  }
}
