import { describe, expect, it } from 'vitest';
import { ReadThroughCache } from '../../src/domain/read-through-cache.js';

describe('ReadThroughCache', () => {
  it('loads once and serves from memory until forgotten', async () => {
    const cache = new ReadThroughCache<{ v: number }>({ max: 10, ttlMs: 60_000 });
    let loads = 0;
    const load = async () => ({ v: ++loads });
    expect(await cache.get('a', load)).toEqual({ v: 1 });
    expect(await cache.get('a', load)).toEqual({ v: 1 });
    cache.forget('a');
    expect(await cache.get('a', load)).toEqual({ v: 2 });
    cache.forgetAll();
    expect(await cache.get('a', load)).toEqual({ v: 3 });
  });

  it('keeps nothing for what was not found, so something created elsewhere is found at once', async () => {
    const cache = new ReadThroughCache<{ v: number }>({ max: 10, ttlMs: 60_000 });
    let exists = false;
    const load = async () => (exists ? { v: 1 } : undefined);
    expect(await cache.get('a', load)).toBeUndefined();
    exists = true;
    expect(await cache.get('a', load)).toEqual({ v: 1 });
  });

  it('does not store a read that started before a change (it would undo the change here)', async () => {
    const cache = new ReadThroughCache<{ v: string }>({ max: 10, ttlMs: 60_000 });
    let release!: () => void;
    const slow = cache.get('a', () => new Promise((resolve) => (release = () => resolve({ v: 'before the change' }))));
    cache.forget('a'); // the change lands while the read is in flight
    release();
    expect(await slow).toEqual({ v: 'before the change' });
    expect(await cache.get('a', async () => ({ v: 'after' }))).toEqual({ v: 'after' });
  });

  it('forgets entries after their TTL', async () => {
    const cache = new ReadThroughCache<{ v: number }>({ max: 10, ttlMs: 30 });
    let loads = 0;
    const load = async () => ({ v: ++loads });
    await cache.get('a', load);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await cache.get('a', load)).toEqual({ v: 2 });
  });
});
