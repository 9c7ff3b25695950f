// Requests counted per key in the shared store (the same rate_limit table as failed sign-ins), so
// a limit holds across every instance: at most `limit` requests per key within a window that
// starts at the key's first request. Keys hash what was typed (keys.ts).
import type { AttemptStore } from '../../db/attempt-store.js';

export interface Quota {
  limit: number;
  windowMs: number;
}

export function createRequestQuota(store: Pick<AttemptStore, 'addFailure'>) {
  return {
    /** Counts one more request under `key`; true while the count stays within the quota. */
    async take(key: string, { limit, windowMs }: Quota): Promise<boolean> {
      return (await store.addFailure(key, windowMs)) <= limit;
    },
  };
}

export type RequestQuota = ReturnType<typeof createRequestQuota>;
