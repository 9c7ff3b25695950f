// /readyz's answer: not ready while shutting down or while the database cannot take writes.
// Changes are logged once each, not on every probe (load balancers ask every few seconds).
import type { Database } from './db/database.js';
import { databaseHealth } from './db/health.js';
import type { Logger } from './logger.js';

export interface ReadinessDeps {
  db: Database;
  /** True once shutdown began: the load balancer must stop sending requests. */
  shuttingDown(): boolean;
  /** Why this instance cannot sign with the published key set, if it cannot (key-set-sync.ts). */
  keys?(): string | undefined;
  log: Logger;
}

/** Resolves to undefined when ready, otherwise to the reason. */
export type Readiness = () => Promise<string | undefined>;

export function readinessCheck({ db, shuttingDown, keys, log }: ReadinessDeps): Readiness {
  let lastReason: string | undefined;
  return async () => {
    if (shuttingDown()) return 'shutting down';
    const health = await databaseHealth(db);
    const keyProblem = health.ok ? keys?.() : undefined;
    const reason = health.ok ? keyProblem : health.reason;
    if (reason !== lastReason) {
      if (reason === undefined) log.info('ready again');
      else log.warn('not ready', { reason, ...(health.ok ? {} : { err: health.error }) });
      lastReason = reason;
    }
    return reason;
  };
}
