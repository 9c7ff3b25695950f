// Says yes once per key until a window ends: a locked-out form hammered a thousand times is one
// audit record per lockout, not a thousand writes (which would be a lever of its own).
const MAX_KEYS = 10_000;

export class OncePerWindow {
  readonly #until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True the first time `key` is seen, and again once `windowMs` from then has passed. */
  first(key: string, windowMs: number): boolean {
    const now = this.now();
    const until = this.#until.get(key);
    if (until !== undefined && until > now) return false;
    this.#until.delete(key);
    if (this.#until.size >= MAX_KEYS) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
    this.#until.set(key, now + windowMs);
    return true;
  }
}
