// Keeps this instance's provider and JWKS in step with the key table. Every KEY_SYNC_INTERVAL it
// runs the key maintenance (scheduled rotation, expiry; exactly one instance acts, under a lock)
// and compares the published key set's version with the one it serves; on a change it builds a
// provider with the new keys and swaps it in. Ticks never overlap; a failed tick is logged and the
// next one tries again, while the instance keeps serving the set it has.
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { KeyService, PublishedKeySet } from '../domain/keys/key-service.js';
import type { Logger } from '../logger.js';
import type { ProviderHolder } from './provider-holder.js';

export interface KeySyncDeps {
  keys: KeyService;
  holder: ProviderHolder;
  buildProvider(jwks: JWK[]): Provider;
  /** Called with every new published set (the JWKS route serves it). */
  publish(set: PublishedKeySet): void;
  intervalMs: number;
  log: Logger;
}

export interface KeySync {
  /** Runs one tick now (after a local key change, or in tests). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

export function startKeySync(deps: KeySyncDeps, initial: PublishedKeySet): KeySync {
  let version = initial.version;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function tick(): Promise<void> {
    const set = await deps.keys.tick();
    if (set.version === version) return;
    const provider = deps.buildProvider(await deps.keys.signingJwks());
    deps.holder.swap(provider);
    deps.publish(set);
    deps.log.info('key set changed: now serving it', { version: set.version, kids: set.keys.map((k) => k.kid) });
    version = set.version;
  }

  function refresh(): Promise<void> {
    running ??= tick()
      .catch((error: unknown) => deps.log.error('key sync failed', { err: error }))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, deps.intervalMs);
  timer.unref();

  return {
    refresh,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
