// Keeps this instance's provider and JWKS in step with the key table. Every KEY_SYNC_INTERVAL it
// runs the key maintenance (scheduled rotation, expiry; exactly one instance acts, under a lock)
// and compares the published key set's version with the one it serves; on a change it builds a
// provider from the same read and swaps it in. Ticks never overlap.
//
// It fails closed. A key set this instance cannot sign with (a key sealed with a secret it lacks)
// stops all signing here at once, while /jwks keeps serving the true published set; a database it
// cannot read keeps the current set for a grace of two ticks (a change reaches every instance
// within one tick anyway), then stops signing too. Either way /readyz fails, the cause is logged
// at error level, and every failed tick is counted, until a tick succeeds again.
import type Provider from 'oidc-provider';
import type { KeyService, PublishedKeySet } from '../domain/keys/key-service.js';
import type { SigningKey } from '../domain/keys/key-store.js';
import type { Logger } from '../logger.js';
import type { ProviderHolder } from './provider-holder.js';
import { serialized } from '../serialized.js';

export interface KeySyncDeps {
  keys: KeyService;
  holder: ProviderHolder;
  buildProvider(jwks: SigningKey[]): Provider;
  /** Called with every new published set (the JWKS route serves it). */
  publish(set: PublishedKeySet): void;
  intervalMs: number;
  log: Logger;
  /** Counts a failed tick (the metric sesame_key_sync_failures_total). */
  failed?(): void;
  now?(): number;
}

export interface KeySync {
  /** Runs one tick now (after a local key change, or in tests). */
  refresh(): Promise<void>;
  /** Undefined while this instance signs with the current key set; otherwise why not. */
  problem(): string | undefined;
  stop(): Promise<void>;
}

/** Ticks a database read may fail before the instance stops signing. */
const GRACE_TICKS = 2;

export function startKeySync(deps: KeySyncDeps, initial: PublishedKeySet): KeySync {
  const now = deps.now ?? Date.now;
  let version = initial.version;
  let stopped = false;
  /** When ticks started failing to read the table (undefined: the last one read it). */
  let unreadableSince: number | undefined;

  function stopSigning(reason: string): void {
    if (deps.holder.suspended() === reason) return;
    deps.holder.suspend(reason);
    deps.log.error('this instance stopped signing', { reason });
  }

  async function tick(): Promise<void> {
    let snapshot;
    try {
      snapshot = await deps.keys.tick();
    } catch (error) {
      unreadableSince ??= now();
      deps.failed?.();
      deps.log.error('key sync failed: the key table could not be read', { err: error });
      if (now() - unreadableSince >= GRACE_TICKS * deps.intervalMs) stopSigning('the key table could not be read');
      return;
    }
    unreadableSince = undefined;
    const changed = snapshot.set.version !== version;
    if (!changed && !deps.holder.suspended()) return;
    let jwks: SigningKey[];
    try {
      jwks = await snapshot.signingJwks();
    } catch (error) {
      if (changed) deps.publish(snapshot.set); // /jwks serves the truth even when signing stops
      deps.failed?.();
      version = snapshot.set.version;
      deps.log.error('key sync failed: this instance cannot sign with the published key set', { err: error });
      stopSigning((error as Error).message);
      return;
    }
    // Together, with nothing awaited between them: a key gone from /jwks no longer signs here.
    deps.holder.swap(deps.buildProvider(jwks));
    if (changed) deps.publish(snapshot.set);
    version = snapshot.set.version;
    deps.log.info('key set changed: now serving it', { version, kids: snapshot.set.keys.map((k) => k.kid) });
  }

  const ticks = serialized(
    () =>
      tick().catch((error: unknown) => {
        deps.failed?.();
        deps.log.error('key sync failed', { err: error });
      }),
    () => stopped,
  );
  const refresh = ticks.run;

  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, deps.intervalMs);
  timer.unref();

  return {
    refresh,
    problem() {
      const suspended = deps.holder.suspended();
      if (suspended) return `not signing: ${suspended}`;
      if (unreadableSince !== undefined && now() - unreadableSince >= deps.intervalMs) return 'key set out of date: the key table could not be read';
      return undefined;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticks.settled();
    },
  };
}
