// The key sync's decisions, on a stand-in key service and a fake clock: one read builds both the
// provider and /jwks, a key set this instance cannot sign with stops signing at once, an
// unreadable key table stops it after two ticks, and a good tick resumes it.
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyService, KeySnapshot, PublishedKeySet } from '../../src/domain/keys/key-service.js';
import { KeySetUnavailable } from '../../src/domain/keys/key-service.js';
import { silentLogger } from '../../src/logger.js';
import { startKeySync, type KeySync } from '../../src/oidc/key-set-sync.js';
import { ProviderHolder } from '../../src/oidc/provider-holder.js';

/** KEY_SYNC_INTERVAL: long, so the timer never fires; ticks are driven by hand. */
const INTERVAL = 60 * 60 * 1000;
const set = (version: string): PublishedKeySet => ({ version, keys: [{ kid: version, kty: 'EC' } as JWK] });
const providerOf = (kids: string[]) => ({ kids, callback: () => () => {} }) as unknown as Provider;

describe('key set sync', () => {
  let sync: KeySync | undefined;
  afterEach(async () => sync?.stop());

  function start(next: () => Promise<KeySnapshot>) {
    let clock = 0;
    const holder = new ProviderHolder(providerOf(['v1']));
    const built: string[][] = [];
    const published: string[] = [];
    let failures = 0;
    // Only tick(): anything else the sync might call to read the table again would throw.
    const keys = { tick: next } as unknown as KeyService;
    sync = startKeySync(
      {
        keys,
        holder,
        buildProvider: (jwks) => {
          built.push(jwks.map((k) => k.kid!));
          return providerOf(jwks.map((k) => k.kid!));
        },
        publish: (s) => published.push(s.version),
        intervalMs: INTERVAL,
        log: silentLogger,
        failed: () => void failures++,
        now: () => clock,
      },
      set('v1'),
    );
    return { holder, built, published, failures: () => failures, advance: (ms: number) => void (clock += ms), sync };
  }

  it('builds the provider and /jwks from the same snapshot', async () => {
    const t = start(async () => ({ set: set('v2'), signingJwks: async () => [{ kid: 'v2' } as JWK] }));
    await t.sync.refresh();
    expect(t.published).toEqual(['v2']);
    expect(t.built).toEqual([['v2']]);
    expect(t.sync.problem()).toBeUndefined();
  });

  it('stops signing at once when it cannot sign with the published set, but still publishes it', async () => {
    let fail = true;
    const t = start(async () => ({
      set: set('v2'),
      signingJwks: async () => {
        if (fail) throw new KeySetUnavailable('active RS256 key k2 cannot be decrypted');
        return [{ kid: 'v2' } as JWK];
      },
    }));
    await t.sync.refresh();
    expect(t.published).toEqual(['v2']);
    expect(t.holder.suspended()).toMatch(/k2 cannot be decrypted/);
    expect(t.sync.problem()).toMatch(/^not signing: /);
    expect(t.failures()).toBe(1);

    fail = false;
    await t.sync.refresh();
    expect(t.holder.suspended()).toBeUndefined();
    expect(t.built).toEqual([['v2']]);
    expect(t.sync.problem()).toBeUndefined();
  });

  it('keeps signing through one unreadable tick, is not ready after one interval, stops after two', async () => {
    let readable = false;
    const t = start(async () => {
      if (!readable) throw new Error('connection refused');
      return { set: set('v1'), signingJwks: async () => [{ kid: 'v1' } as JWK] };
    });
    await t.sync.refresh();
    expect(t.holder.suspended()).toBeUndefined();
    expect(t.sync.problem()).toBeUndefined();
    t.advance(INTERVAL);
    await t.sync.refresh();
    expect(t.sync.problem()).toMatch(/key table could not be read/);
    t.advance(INTERVAL);
    await t.sync.refresh();
    expect(t.holder.suspended()).toBe('the key table could not be read');
    expect(t.failures()).toBe(3);

    readable = true;
    await t.sync.refresh();
    expect(t.holder.suspended()).toBeUndefined();
    expect(t.built).toEqual([['v1']]); // rebuilt from the table it could read again
  });
});
