// The provider's row writes of one request, held until the request has its answer and then sent
// together: one statement where oidc-provider would send one per save and per removal (a resumed
// sign-in removes its interaction, saves the code, removes the session under its old id and saves it
// under the new one: four statements, now one). Nothing is answered before the writes are stored:
// the scope ends inside the request, before the response goes out, and a failed write fails the
// request. Rows sent together land all or none (one statement).
//
// Rows are held per (model, key), the last write winning; a removal is held as a tombstone (the
// repository's statement stores it as a dead row, which every read already ignores and the sweeper
// deletes). Whatever must see the database as the request left it (a find of a held row, a consume,
// a revocation) sends the held rows first, so the order of writes the provider relies on is kept.
// Records of another kind may ride along (`holdAlong`: the request's audit records), sent with the
// rows: request-writes.ts decides how.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface HeldRow<C> {
  model: string;
  key: string;
  /** The row's new content, or null when the row is removed. */
  saved: { payload: string; columns: C } | null;
}

/** The work of a scope finished, but what it wrote could not be stored: its answer must not go out. */
export class WritesNotStored extends Error {
  override name = 'WritesNotStored';
  constructor(cause: unknown) {
    super(`the request's writes could not be stored: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

class Held<C, A> {
  readonly rows = new Map<string, HeldRow<C>>();
  along: A[] = [];
  /** Once the scope has ended, writes of a straggling promise go straight to the database. */
  open = true;
}

/** One string per (model, key): how the repository's maps name a row. */
export const rowKey = (model: string, key: string) => `${model}\u0000${key}`;

export class HeldWrites<C, A = never> {
  readonly #scope = new AsyncLocalStorage<Held<C, A>>();

  /** `send` stores rows and what rides along; it is called with at least one of either. */
  constructor(private readonly send: (rows: HeldRow<C>[], along: A[]) => Promise<void>) {}

  /**
   * Runs `work` with the writes it makes held, and sends them when it ends. When `work` fails, what
   * it wrote before is stored all the same (as it was when each write went out on its own) and its
   * error passes on; when `work` succeeded but its writes cannot be stored, WritesNotStored.
   */
  async around<T>(work: () => Promise<T>): Promise<T> {
    const held = new Held<C, A>();
    let result: T;
    try {
      result = await this.#scope.run(held, work);
    } catch (error) {
      held.open = false;
      await this.#sendHeld(held);
      throw error;
    }
    held.open = false;
    try {
      await this.#sendHeld(held);
    } catch (error) {
      throw new WritesNotStored(error);
    }
    return result;
  }

  /** Holds the write if a scope is open; false when the caller must write now. */
  hold(row: HeldRow<C>): boolean {
    const held = this.#scope.getStore();
    if (!held?.open) return false;
    const key = rowKey(row.model, row.key);
    // Re-inserted so that rows go out in the order of their last write.
    held.rows.delete(key);
    held.rows.set(key, row);
    return true;
  }

  /** Holds a record to be sent with the rows, if a scope is open; false when the caller must write it now. */
  holdAlong(record: A): boolean {
    const held = this.#scope.getStore();
    if (!held?.open) return false;
    held.along.push(record);
    return true;
  }

  /** Is a write of this row held in the current scope? */
  holds(model: string, key: string): boolean {
    return this.#scope.getStore()?.rows.has(rowKey(model, key)) === true;
  }

  /** Is a write of any row of this model held in the current scope? */
  holdsAny(model: string): boolean {
    const held = this.#scope.getStore();
    if (!held) return false;
    for (const row of held.rows.values()) if (row.model === model) return true;
    return false;
  }

  /** Sends what the current scope holds, before a statement that must see it. */
  async flush(): Promise<void> {
    const held = this.#scope.getStore();
    if (held) await this.#sendHeld(held);
  }

  async #sendHeld(held: Held<C, A>): Promise<void> {
    if (held.rows.size === 0 && held.along.length === 0) return;
    const rows = [...held.rows.values()];
    const along = held.along;
    held.rows.clear();
    held.along = [];
    await this.send(rows, along);
  }
}

/** What a repository of held rows uses of a HeldWrites. */
export type RowHolder<C> = Pick<HeldWrites<C, unknown>, 'around' | 'hold' | 'holds' | 'holdsAny' | 'flush'>;

/** What a repository of records that ride along uses of a HeldWrites. */
export type AlongHolder<A> = Pick<HeldWrites<unknown, A>, 'holdAlong'>;
