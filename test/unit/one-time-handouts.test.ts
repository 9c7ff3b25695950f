import { describe, expect, it } from 'vitest';
import { OneTimeHandouts } from '../../src/db/one-time-handouts.js';

function handouts(max = 3, ttlMs = 1_000) {
  const clock = { now: 0 };
  return { clock, store: new OneTimeHandouts<string>({ max, ttlMs, now: () => clock.now }) };
}

describe('OneTimeHandouts', () => {
  it('hands an entry out once', () => {
    const { store } = handouts();
    store.set('a', 'row a');
    expect(store.take('a')).toBe('row a');
    expect(store.take('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('hands out nothing once the entry has waited longer than its time, and forgets it', () => {
    const { clock, store } = handouts();
    store.set('a', 'row a');
    clock.now = 1_000;
    expect(store.take('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('drops expired entries when a new one comes, so entries never taken do not pile up', () => {
    const { clock, store } = handouts(100);
    store.set('a', 'row a');
    store.set('b', 'row b');
    clock.now = 500;
    store.set('c', 'row c');
    clock.now = 1_200;
    store.set('d', 'row d');
    expect(store.size).toBe(2);
    expect(store.take('c')).toBe('row c');
    expect(store.take('d')).toBe('row d');
  });

  it('holds at most max entries, dropping the oldest', () => {
    const { store } = handouts(2);
    store.set('a', 'row a');
    store.set('b', 'row b');
    store.set('c', 'row c');
    expect(store.size).toBe(2);
    expect(store.take('a')).toBeUndefined();
    expect(store.take('b')).toBe('row b');
  });

  it('a key set again gets a fresh time and its newer value', () => {
    const { clock, store } = handouts(100);
    store.set('a', 'old');
    store.set('b', 'row b');
    clock.now = 900;
    store.set('a', 'new');
    clock.now = 1_100;
    store.set('c', 'row c');
    expect(store.take('b')).toBeUndefined();
    expect(store.take('a')).toBe('new');
  });

  it('delete and clear forget entries', () => {
    const { store } = handouts();
    store.set('a', 'row a');
    store.set('b', 'row b');
    store.delete('a');
    expect(store.take('a')).toBeUndefined();
    store.clear();
    expect(store.take('b')).toBeUndefined();
  });
});
