import { describe, expect, it } from 'vitest';
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
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs at most `concurrency` jobs at once and queues the rest in order', async () => {
    const limiter = new WorkLimiter(2, 10, 5_000);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        limiter.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(5);
          order.push(i);
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toHaveLength(8);
  });

  it('refuses at once when the queue is full, and after waiting too long', async () => {
    const limiter = new WorkLimiter(1, 1, 50);
    const slow = limiter.run(() => sleep(200));
    const queued = limiter.run(async () => 'late');
    await expect(limiter.run(async () => 'refused')).rejects.toBeInstanceOf(Busy);
    await expect(queued).rejects.toBeInstanceOf(Busy); // waited 50 ms, the slow job still running
    await slow;
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
