// Metrics per app instance: several in one process keep their own counts (tests, a CLI next to a
// server), and the signing key gauges read the key list once per change, not once per scrape.
import { describe, expect, it } from 'vitest';
import type { KeyView } from '../../src/domain/keys/key-service.js';
import { Metrics } from '../../src/http/metrics.js';

const key = (kid: string, alg: string, state: string, createdAt: string): KeyView => ({
  kid,
  alg,
  use: 'sig',
  state,
  created_at: createdAt,
  published_at: createdAt,
  activated_at: null,
  retired_at: null,
  expires_at: null,
  revoked_at: null,
});

describe('Metrics', () => {
  it('keeps counts per instance, with the process metrics in each', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.signInEvent('login.succeeded');
    a.signInEvent('consent.granted');
    b.tokenIssued('refresh_token');
    const [textA, textB] = await Promise.all([a.render(), b.render()]);
    expect(textA).toMatch(/^sesame_sign_ins_total\{outcome="success"\} 1$/m);
    expect(textA).not.toContain('consent');
    expect(textA).not.toMatch(/^sesame_tokens_issued_total\{/m);
    expect(textB).toMatch(/^sesame_tokens_issued_total\{grant_type="refresh_token"\} 1$/m);
    expect(textB).not.toMatch(/^sesame_sign_ins_total\{/m);
    for (const text of [textA, textB]) expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('reads the key list once per published change and reports keys by state with the oldest age', async () => {
    const metrics = new Metrics();
    let reads = 0;
    let keys = [key('a', 'RS256', 'active', new Date(Date.now() - 3_600_000).toISOString()), key('b', 'RS256', 'next', new Date().toISOString())];
    metrics.watchKeys(async () => {
      reads++;
      return keys;
    });
    const first = await metrics.render();
    await metrics.render();
    expect(reads).toBe(1);
    expect(first).toMatch(/^sesame_signing_keys\{alg="RS256",state="active"\} 1$/m);
    expect(first).toMatch(/^sesame_signing_keys\{alg="RS256",state="next"\} 1$/m);
    const age = Number(/^sesame_signing_key_age_seconds\{alg="RS256",state="active"\} (\d+)$/m.exec(first)?.[1]);
    expect(age).toBeGreaterThanOrEqual(3600);
    expect(age).toBeLessThan(3700);

    // A rotation: the old key retires, the next one signs, a new next key appears.
    keys = [
      key('a', 'RS256', 'retired', keys[0]!.created_at),
      key('b', 'RS256', 'active', keys[1]!.created_at),
      key('c', 'RS256', 'next', new Date().toISOString()),
    ];
    expect(await metrics.render()).not.toContain('state="retired"');
    metrics.keysChanged();
    const after = await metrics.render();
    expect(reads).toBe(2);
    expect(after).toMatch(/^sesame_signing_keys\{alg="RS256",state="retired"\} 1$/m);
    expect(after).toMatch(/^sesame_signing_keys\{alg="RS256",state="active"\} 1$/m);
  });

  it('keeps the last key list when a read fails', async () => {
    const metrics = new Metrics();
    let fail = false;
    metrics.watchKeys(async () => {
      if (fail) throw new Error('database gone');
      return [key('a', 'ES256', 'active', new Date().toISOString())];
    });
    await metrics.render();
    fail = true;
    metrics.keysChanged();
    expect(await metrics.render()).toMatch(/^sesame_signing_keys\{alg="ES256",state="active"\} 1$/m);
  });
});
