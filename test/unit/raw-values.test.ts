// What raw reads give back for times and flags, in every form the two databases store them.
import { describe, expect, it } from 'vitest';
import { booleanOf, dateOf } from '../../src/db/raw-sql.js';

describe('dateOf', () => {
  const at = '2026-12-03T09:30:15.123Z';

  it('reads the ISO-8601 text Prisma and the raw statements write on SQLite', () => {
    expect(dateOf('2026-12-03T09:30:15.123+00:00')?.toISOString()).toBe(at);
    expect(dateOf('2026-12-03T10:30:15.123+01:00')?.toISOString()).toBe(at);
    expect(dateOf(at)?.toISOString()).toBe(at);
  });

  it('reads a SQLite column default (CURRENT_TIMESTAMP) and PostgreSQL timestamp text as UTC', () => {
    expect(dateOf('2026-12-03 09:30:15')?.toISOString()).toBe('2026-12-03T09:30:15.000Z');
    expect(dateOf('2026-12-03 09:30:15.123')?.toISOString()).toBe(at);
  });

  it('reads milliseconds since the epoch, as a number or a BigInt', () => {
    const ms = Date.parse(at);
    expect(dateOf(ms)?.toISOString()).toBe(at);
    expect(dateOf(BigInt(ms))?.toISOString()).toBe(at);
  });

  it('passes a Date and null through', () => {
    const date = new Date(at);
    expect(dateOf(date)).toBe(date);
    expect(dateOf(null)).toBeNull();
  });
});

describe('booleanOf', () => {
  it('reads SQLite integers (plain or BigInt) and PostgreSQL text', () => {
    expect([1, 1n, 't', true].map(booleanOf)).toEqual([true, true, true, true]);
    expect([0, 0n, 'f', false].map(booleanOf)).toEqual([false, false, false, false]);
  });
});
