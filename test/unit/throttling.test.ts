import { afterEach, describe, expect, it, vi } from 'vitest';
import { Busy, WorkLimiter } from '../../src/domain/accounts/work-limiter.js';
import { addressBucket } from '../../src/domain/throttling/keys.js';
import { lockoutAfter } from '../../src/domain/throttling/lockout.js';
import { OncePerWindow } from '../../src/domain/throttling/once-per-window.js';

describe('lockoutAfter', () => {
  const policy = { maxFailures: 5, lockout: 60_000, lockoutMax: 15 * 60_000 };

  it('costs nothing below the limit, then locks for longer with every further failure, up to the maximum', () => {
    expect([1, 2, 3, 4].map((n) => lockoutAfter(n, policy))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 100].map((n) => lockoutAfter(n, policy) / 60_000)).toEqual([1, 2, 4, 8, 15, 15, 15]);
  });
});

describe('addressBucket', () => {
  it('counts IPv4 per address and IPv6 per /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64');
    expect(addressBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(addressBucket('2001:db8:1:2::9'));
    expect(addressBucket('2001:db8:1:3::9')).not.toBe(addressBucket('2001:db8:1:2::9'));
    expect(addressBucket('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressBucket('not an address\u0000')).toMatch(/^other:[A-Za-z0-9_-]+$/);
  });
});

describe('WorkLimiter', () => {
  afterEach(() => vi.useRealTimers());

  /** A job that runs until the test finishes it. */
  function heldJob(): { job: () => Promise<void>; started: () => boolean; finish: () => void } {
    let started = false;
    let finish = () => {};
    return {
      job: () => {
        started = true;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      started: () => started,
      finish: () => finish(),
    };
  }

  it('runs at most `concurrency` jobs at once and queues the rest in order', async () => {
    const limiter = new WorkLimiter(2, 10, 5_000);
    const jobs = Array.from({ length: 8 }, heldJob);
    const runs = jobs.map((j) => limiter.run(j.job));
    const started = () => jobs.flatMap((j, i) => (j.started() ? [i] : []));
    /** Lets every promise callback that is due run (no time passes). */
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    expect(started()).toEqual([0, 1]);
    // Each finished job lets the next waiting one start, first come first served.
    for (let next = 2; next < 8; next++) {
      jobs[next - 2]!.finish();
      await settle();
      expect(started()).toEqual(Array.from({ length: next + 1 }, (_, i) => i));
    }
    for (const j of jobs.slice(6)) j.finish();
    await Promise.all(runs);
  });

  it('refuses at once when the queue is full, and after waiting too long', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const limiter = new WorkLimiter(1, 1, 50);
    const slow = heldJob();
    const running = limiter.run(slow.job);
    const queued = limiter.run(async () => 'late');
    let answered = false;
    queued.then(
      () => (answered = true),
      () => (answered = true),
    );
    await expect(limiter.run(async () => 'refused')).rejects.toBeInstanceOf(Busy);
    await vi.advanceTimersByTimeAsync(49);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(queued).rejects.toBeInstanceOf(Busy); // waited 50 ms, the slow job still running
    slow.finish();
    await running;
    await expect(limiter.run(async () => 'free again')).resolves.toBe('free again');
  });
});

describe('OncePerWindow', () => {
  it('says yes once per key per window', () => {
    let now = 0;
    const once = new OncePerWindow(() => now);
    expect(once.first('a', 1000)).toBe(true);
    expect(once.first('a', 1000)).toBe(false);
    expect(once.first('b', 1000)).toBe(true);
    now = 1000;
    expect(once.first('a', 1000)).toBe(true);
  });
});
