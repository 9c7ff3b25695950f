// The attempt throttle over its real store (rate-limiter-flexible's Prisma store on both databases):
// a sign-in's check reads locks and failures in one statement, and the success that follows clears
// only what that check found, so a clean sign-in costs no delete.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptStore } from '../../src/db/attempt-store.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { AttemptThrottle } from '../../src/domain/throttling/attempt-throttle.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';

const TIMES = { lockout: 60_000, lockoutMax: 900_000, failureReset: 3_600_000 };

describe.each(PROVIDERS)('attempt throttle on %s', (provider) => {
  let testDb: TestDatabase;
  let db: Database;
  let now = Date.now();
  let throttle: AttemptThrottle;

  beforeAll(async () => {
    testDb = await createTestDatabase(provider);
    db = await openDatabase(testDb.config, { countStatements: true });
  });
  afterEach(async () => {
    await db.prisma.rateLimit.deleteMany();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const fresh = () => (throttle = new AttemptThrottle(createAttemptStore(db.prisma, db.sql), TIMES, () => now));
  const statementsOf = async (work: () => Promise<unknown>) => {
    const before = db.statements();
    await work();
    return db.statements() - before;
  };

  it('reads locks and failures of several keys in one statement', async () => {
    fresh();
    await throttle.fail([{ key: 'a', maxFailures: 1 }]);
    expect(await statementsOf(() => throttle.lockedFor(['a', 'b']))).toBe(1);
    expect(await throttle.lockedFor(['a', 'b'])).toBeGreaterThan(59_000);
  });

  it('sends nothing to clear after a check that found nothing stored', async () => {
    fresh();
    await throttle.lockedFor(['clean']);
    expect(await statementsOf(() => throttle.clearAfterCheck(['clean']))).toBe(0);
  });

  it('clears what the check found: the count starts again after a success', async () => {
    fresh();
    await throttle.fail([{ key: 'k', maxFailures: 3 }]);
    await throttle.fail([{ key: 'k', maxFailures: 3 }]);
    expect(await throttle.lockedFor(['k'])).toBe(0);
    expect(await statementsOf(() => throttle.clearAfterCheck(['k']))).toBe(1);
    expect(await db.prisma.rateLimit.count()).toBe(0);
    // Two failures again do not lock: the earlier two were forgotten.
    await throttle.fail([{ key: 'k', maxFailures: 3 }]);
    expect(await throttle.fail([{ key: 'k', maxFailures: 3 }])).toEqual([0]);
  });

  it('clears when the check is old or a failure came after it', async () => {
    fresh();
    await throttle.lockedFor(['late']);
    await throttle.fail([{ key: 'late', maxFailures: 5 }]);
    await throttle.clearAfterCheck(['late']);
    expect(await db.prisma.rateLimit.count()).toBe(0);

    await throttle.lockedFor(['stale']);
    // Another instance counts a failure; this instance's clean reading expires.
    await new AttemptThrottle(createAttemptStore(db.prisma, db.sql), TIMES, () => now).fail([{ key: 'stale', maxFailures: 5 }]);
    now += 2_001;
    await throttle.clearAfterCheck(['stale']);
    expect(await db.prisma.rateLimit.count()).toBe(0);
  });
});
