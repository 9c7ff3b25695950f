// /readyz's answer: not ready while shutting down or while the database cannot take writes.
// Changes are logged once each, not on every probe (load balancers ask every few seconds).
import type { Database } from './db/database.js';
import { databaseHealth } from './db/health.js';
import type { Logger } from './logger.js';

export interface ReadinessDeps {
  db: Database;
  /** True once shutdown began: the load balancer must stop sending requests. */
  shuttingDown(): boolean;
  log: Logger;
}

/** Resolves to undefined when ready, otherwise to the reason. */
export type Readiness = () => Promise<string | undefined>;

export function readinessCheck({ db, shuttingDown, log }: ReadinessDeps): Readiness {
  let lastReason: string | undefined;
  return async () => {
    if (shuttingDown()) return 'shutting down';
    const health = await databaseHealth(db);
    const reason = health.ok ? undefined : health.reason;
    if (reason !== lastReason) {
      if (health.ok) log.info('ready again');
      else log.warn('not ready', { reason: health.reason, err: health.error });
      lastReason = reason;
    }
    return reason;
  };
}
