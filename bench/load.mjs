// The load generator of `npm run bench`: plain node:http with a keep-alive agent, no dependency.
// Two ways to drive a server:
// - closed loop (peak throughput): N workers, each sends its next request as soon as the previous
//   one answered, for a fixed time after a warm-up that is not counted;
// - open loop (latency at a given rate): requests start on a fixed schedule whatever the server
//   does, and each one's latency counts from when it was due, not from when it could be sent, so a
//   stalled server shows up in the percentiles instead of slowing the load down (no coordinated
//   omission).
// Latencies go into Node's own HDR histogram (perf_hooks), in microseconds.
import http from 'node:http';
import { createHistogram } from 'node:perf_hooks';

/**
 * @typedef {{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string }} Reply
 * @typedef {{ method?: string, path: string, headers?: Record<string, string>, body?: string }} Call
 * @typedef {{ requests: number, errors: number, seconds: number, rps: number, p50: number, p90: number, p99: number, max: number, firstError?: string }} Measurement
 *   Latencies in milliseconds; `requests` counts the successful ones (journeys for the login row).
 */

const REQUEST_TIMEOUT_MS = 30_000;

/** One server's address, the Host its issuer names, and a pool of keep-alive connections to it. */
export class Target {
  /**
   * @param {string} issuer the server's issuer (http://localhost:PORT): the Host header every request names
   * @param {number} connections the most connections open at once (requests beyond wait for one)
   */
  constructor(issuer, connections) {
    const url = new URL(issuer);
    this.issuer = issuer;
    this.host = url.host;
    this.port = Number(url.port);
    // Idle connections are closed here after 3 s, before the servers' keep-alive timeout (Node's 5 s)
    // closes them: a request sent on a connection the server is closing at that moment fails with
    // ECONNRESET (seen on both servers, a few in 10,000 requests of an open loop).
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections, timeout: 3_000 });
  }

  /**
   * Sends one request over the pool and reads the whole answer.
   * @param {Call} call
   * @returns {Promise<Reply>}
   */
  request({ method = 'GET', path, headers = {}, body }) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          headers: {
            host: this.host,
            ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      // A server that stops answering is an error, not a bench that hangs.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/** A task is one unit of work (a request, or a whole sign-in): it resolves when done and throws on a wrong answer. */
/** @typedef {() => Promise<unknown>} Task */

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Recorder {
  histogram = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  errors = 0;
  /** @type {string | undefined} */
  firstError;

  /** @param {number} ms */
  ok(ms) {
    this.histogram.record(Math.max(1, Math.round(ms * 1000)));
  }

  /** @param {unknown} error */
  failed(error) {
    this.errors++;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }

  /**
   * @param {number} seconds the measured window
   * @returns {Measurement}
   */
  result(seconds) {
    const h = this.histogram;
    const ms = (/** @type {number} */ p) => (h.count > 0 ? h.percentile(p) / 1000 : NaN);
    return {
      requests: h.count,
      errors: this.errors,
      seconds,
      rps: h.count / seconds,
      p50: ms(50),
      p90: ms(90),
      p99: ms(99),
      max: h.count > 0 ? h.max / 1000 : NaN,
      ...(this.firstError !== undefined ? { firstError: this.firstError } : {}),
    };
  }
}

/**
 * Peak throughput: `concurrency` workers loop over `task` for `warmupMs` (not counted) and then
 * `durationMs`; what completes inside the measured window counts. Returns when every worker has
 * finished its last task, so nothing spills into the next measurement.
 * @param {Task} task
 * @param {{ concurrency: number, warmupMs: number, durationMs: number }} options
 * @returns {Promise<Measurement>}
 */
export async function closedLoop(task, { concurrency, warmupMs, durationMs }) {
  const recorder = new Recorder();
  const start = now();
  const from = start + warmupMs;
  const until = from + durationMs;
  const worker = async () => {
    while (now() < until) {
      const began = now();
      try {
        await task();
        const ended = now();
        if (ended >= from && ended <= until) recorder.ok(ended - began);
      } catch (error) {
        if (now() >= from) recorder.failed(error);
        // A refused connection or a broken page would spin: give the server a moment.
        await sleep(5);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return recorder.result(durationMs / 1000);
}

/**
 * Latency at a fixed rate: `task` starts `rate` times a second for `durationMs`, on schedule
 * whether or not earlier ones have finished. Each latency counts from the moment its task was
 * due. Returns when the last task has finished.
 * @param {Task} task
 * @param {{ rate: number, durationMs: number }} options
 * @returns {Promise<Measurement>}
 */
export async function openLoop(task, { rate, durationMs }) {
  const recorder = new Recorder();
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  /** @type {Promise<void>[]} */
  const running = [];
  const start = now();
  let sent = 0;
  while (sent < total) {
    const elapsed = now() - start;
    const due = Math.min(total, Math.floor(elapsed / interval) + 1);
    for (; sent < due; sent++) {
      const dueAt = start + sent * interval;
      running.push(
        task().then(
          () => recorder.ok(now() - dueAt),
          (error) => recorder.failed(error),
        ),
      );
    }
    if (sent < total) await sleep(Math.max(0, Math.min(interval, start + sent * interval - now())));
  }
  await Promise.all(running);
  return recorder.result(durationMs / 1000);
}

/**
 * A pool of things one task uses at a time (a refresh token chain): `take` waits for a free one.
 * @template T
 */
export class Pool {
  /** @type {T[]} */
  #free;
  /** @type {((item: T) => void)[]} */
  #waiting = [];

  /** @param {T[]} items */
  constructor(items) {
    this.#free = [...items];
  }

  /** @returns {Promise<T>} */
  take() {
    const item = this.#free.pop();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** @param {T} item */
  give(item) {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(item);
    else this.#free.push(item);
  }
}
