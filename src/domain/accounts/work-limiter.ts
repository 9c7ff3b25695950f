// Bounds work that is expensive in memory and threads. An argon2id hash takes 19 MiB and one of
// libuv's four pool threads for tens of milliseconds; unbounded, a flood of sign-in posts would
// take all the memory and every pool thread (which file and DNS work need too). At most
// `concurrency` jobs run; up to `maxQueued` wait up to `maxWaitMs` for a turn; the rest are
// refused at once with Busy, which the sign-in page turns into a 503 "try again".

export class Busy extends Error {
  override name = 'Busy';
  constructor() {
    super('too much work in progress; try again in a moment');
  }
}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

export class WorkLimiter {
  #running = 0;
  readonly #queue: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
    private readonly maxWaitMs: number,
  ) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) await this.#turn();
    this.#running += 1;
    try {
      return await job();
    } finally {
      this.#running -= 1;
      this.#queue.shift()?.start();
    }
  }

  #turn(): Promise<void> {
    if (this.#queue.length >= this.maxQueued) return Promise.reject(new Busy());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.#queue.splice(this.#queue.indexOf(waiter), 1);
          reject(new Busy());
        }, this.maxWaitMs),
      };
      this.#queue.push(waiter);
    });
  }
}
