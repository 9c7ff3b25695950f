// The hot statements that go straight to the driver bind and read values exactly as Prisma does:
// a time written by one is read back to the millisecond by the other and compares the same in SQL,
// statements are counted, and the same statement runs again (prepared once) with new values.
import { Prisma } from '../../src/db/generated/sqlite/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptStore } from '../../src/db/attempt-store.js';
import { createAuditRepository } from '../../src/db/audit-repository.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createSecondFactorRepository } from '../../src/db/second-factor-repository.js';
import { PersonReadAhead } from '../../src/db/person-read-ahead.js';
import { TotpReadAhead } from '../../src/db/totp-read-ahead.js';
import { createUserRepository } from '../../src/db/user-repository.js';
import pg from 'pg';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';

describe.each(PROVIDERS)('raw statements on %s', (provider) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(provider);
    db = await openDatabase(testDb.config, { countStatements: true });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const at = new Date('2026-12-03T09:30:15.123Z');

  it('reads what Prisma wrote, and compares its times the same way', async () => {
    await db.prisma.oidcPayload.create({ data: { model: 'Session', id: 'by-prisma', uid: 'u1', payload: '{"a":1}', expiresAt: at } });
    const read = (after: Date) =>
      db.sql.query<{ id: string; expiresAt: string | Date }>(
        Prisma.sql`SELECT "id", "expiresAt" FROM "oidc_payload" WHERE "model" = ${'Session'} AND "expiresAt" > ${after}`,
      );
    expect((await read(new Date(at.getTime() - 1))).map((row) => row.id)).toEqual(['by-prisma']);
    expect(await read(at)).toEqual([]);
    const equal = await db.sql.query<{ id: string }>(Prisma.sql`SELECT "id" FROM "oidc_payload" WHERE "expiresAt" = ${at}`);
    expect(equal).toEqual([{ id: 'by-prisma' }]);
  });

  it('writes what Prisma reads back to the millisecond', async () => {
    const changed = await db.sql.execute(
      Prisma.sql`INSERT INTO "oidc_payload" ("model", "id", "payload", "expiresAt", "createdAt") VALUES (${'AccessToken'}, ${'raw'}, ${'{}'}, ${at}, ${at})`,
    );
    expect(changed).toBe(1);
    const row = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'AccessToken', id: 'raw' } } });
    expect(row.expiresAt?.toISOString()).toBe(at.toISOString());
    expect(row.createdAt.toISOString()).toBe(at.toISOString());
    // Prisma's own comparison finds it: on SQLite that is text equality with what was bound.
    const found = await db.prisma.oidcPayload.findMany({ where: { model: 'AccessToken', expiresAt: at }, select: { id: true } });
    expect(found).toEqual([{ id: 'raw' }]);
  });

  it('runs one statement again with other values, and counts each statement and read', async () => {
    const [statements, reads] = [db.statements(), db.reads()];
    const byId = (id: string) => db.sql.query<{ payload: string }>(Prisma.sql`SELECT "payload" FROM "oidc_payload" WHERE "id" = ${id}`);
    expect(await byId('by-prisma')).toEqual([{ payload: '{"a":1}' }]);
    expect(await byId('raw')).toEqual([{ payload: '{}' }]);
    expect(await db.sql.execute(Prisma.sql`DELETE FROM "oidc_payload" WHERE "id" = ${'nothing'}`)).toBe(0);
    expect([db.statements() - statements, db.reads() - reads]).toEqual([3, 2]);
  });

  it('serves the raw reads and writes of sign-in: times and numbers as Prisma reads and writes them', async () => {
    // An audit event appended raw is listed (by Prisma) with its time to the millisecond.
    const audit = createAuditRepository(db.prisma, db.sql);
    await audit.append({ id: 'event-1', at, actor: 'system', action: 'login.succeeded', target: 'user:u1', sourceAddress: null, details: '{}' });
    const [listed] = await audit.list({ party: 'user:u1', limit: 5 });
    expect(listed?.at.toISOString()).toBe(at.toISOString());
    // A user read raw, by email or id, is the user Prisma reads: flags, texts and times.
    await db.prisma.user.create({ data: { id: 'u1', email: 'raw@example.com', name: 'Raw', emailVerified: true, isAdmin: true, attributes: '{"a":1}' } });
    const users = createUserRepository(db.prisma, db.sql);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: 'u1' } });
    expect(await users.findByEmail('raw@example.com')).toEqual(user);
    expect(await users.findById('u1')).toEqual(user);
    expect(await users.findById('nobody')).toBeNull();
    // A factor written by Prisma, with createdAt left to the column default, is read raw the same.
    await db.prisma.totpFactor.create({ data: { userId: 'u1', secretEncrypted: 'sealed', confirmedAt: at, lastUsedStep: 7 } });
    const factor = await createSecondFactorRepository(db.prisma, db.sql).findTotp('u1');
    const stored = await db.prisma.totpFactor.findUniqueOrThrow({ where: { userId: 'u1' } });
    expect(factor).toEqual(stored);
    expect(factor?.confirmedAt?.toISOString()).toBe(at.toISOString());
    // A lock written by rate-limiter-flexible through Prisma is read raw with its expiry.
    const attempts = createAttemptStore(db.prisma, db.sql);
    const before = Date.now();
    await attempts.lock('raw@example.com', 60_000);
    const { waits, stored: held } = await attempts.lockedFor(['raw@example.com', 'nobody@example.com']);
    expect(waits[0]).toBeGreaterThan(58_000 - (Date.now() - before));
    expect(waits[0]).toBeLessThanOrEqual(60_000);
    expect(waits[1]).toBe(0);
    expect(held).toEqual([true, false]);
  });

  it("brings a person's authenticator app along with the sign-in's read of them, handed out once and never after this instance changed it", async () => {
    await db.prisma.user.create({ data: { id: 'u2', email: 'with-app@example.com', name: null } });
    await db.prisma.totpFactor.create({ data: { userId: 'u2', secretEncrypted: 'sealed-secret', confirmedAt: at } });
    const readAhead = new TotpReadAhead();
    const users = createUserRepository(db.prisma, db.sql, readAhead);
    const factors = createSecondFactorRepository(db.prisma, db.sql, readAhead);
    const stored = await db.prisma.totpFactor.findUniqueOrThrow({ where: { userId: 'u2' } });

    // The person's record is the user's columns only: nothing of the factor (its sealed secret) rides along.
    const person = await users.findByEmail('with-app@example.com');
    expect(person).toEqual(await db.prisma.user.findUniqueOrThrow({ where: { id: 'u2' } }));
    expect(JSON.stringify(person)).not.toContain('sealed-secret');
    const statements = db.statements();
    expect(await factors.findTotp('u2')).toEqual(stored);
    expect(db.statements()).toBe(statements);
    // Once: the next find reads the table.
    expect(await factors.findTotp('u2')).toEqual(stored);
    expect(db.statements()).toBe(statements + 1);

    // Changed on this instance after the read: the change is what the next find gets.
    await users.findByEmail('with-app@example.com');
    await factors.deleteAll('u2');
    expect(await factors.findTotp('u2')).toBeNull();
    // A person without one: "none" is read ahead too.
    await users.findByEmail('with-app@example.com');
    const before = db.statements();
    expect(await factors.findTotp('u2')).toBeNull();
    expect(db.statements()).toBe(before);
  });

  it("reads the person with the sign-in's lock check, for its password check only, once; the locks are read as on their own", async () => {
    await db.prisma.user.create({ data: { id: 'u3', email: 'locked-out@example.com', name: 'Three' } });
    await db.prisma.totpFactor.create({ data: { userId: 'u3', secretEncrypted: 'sealed-three', confirmedAt: at } });
    const persons = new PersonReadAhead();
    const totp = new TotpReadAhead();
    const users = createUserRepository(db.prisma, db.sql, totp, persons);
    const factors = createSecondFactorRepository(db.prisma, db.sql, totp);
    const attempts = createAttemptStore(db.prisma, db.sql, persons);
    await attempts.lock('account-three', 60_000);
    await attempts.addFailure('address-three', 60_000);

    const alone = await attempts.lockedFor(['account-three', 'address-three', 'clean-three']);
    const expected = await db.prisma.user.findUniqueOrThrow({ where: { id: 'u3' } });
    const before = db.statements();
    const along = await attempts.lockedFor(['account-three', 'address-three', 'clean-three'], { personEmail: 'locked-out@example.com' });
    expect(along.stored).toEqual([true, true, false]);
    expect(along.stored).toEqual(alone.stored);
    expect(along.waits[0]).toBeGreaterThan(55_000);
    expect(along.waits.slice(1)).toEqual([0, 0]);
    // The password check's find, and the second step's, send nothing more: one statement for the three.
    const person = await users.findForSignIn('locked-out@example.com');
    expect(person).toEqual(expected);
    expect(JSON.stringify(person)).not.toContain('sealed-three');
    expect(await factors.findTotp('u3')).toMatchObject({ secretEncrypted: 'sealed-three' });
    expect(db.statements()).toBe(before + 1);
    // Once: the next find reads the table; other finds by email never take it.
    expect(await users.findForSignIn('locked-out@example.com')).toMatchObject({ id: 'u3' });
    expect(db.statements()).toBe(before + 2);
    await attempts.lockedFor(['clean-three'], { personEmail: 'locked-out@example.com' });
    await users.findByEmail('locked-out@example.com');
    expect(db.statements()).toBe(before + 4);
    expect(await users.findForSignIn('locked-out@example.com')).toMatchObject({ id: 'u3' });
    expect(db.statements()).toBe(before + 4);
    // No such person, and no stored key: "none" is read ahead, and the keys read clean.
    const nobody = await attempts.lockedFor(['clean-three'], { personEmail: 'nobody@example.com' });
    expect(nobody).toEqual({ waits: [0], stored: [false] });
    expect(await users.findForSignIn('nobody@example.com')).toBeNull();
    expect(db.statements()).toBe(before + 5);
  });
});

describe.skipIf(!PROVIDERS.includes('postgresql'))('the PostgreSQL pool when the server ends its connections', () => {
  it('lets them go quietly and opens new ones for the next statement', async () => {
    const testDb = await createTestDatabase('postgresql');
    const db = await openDatabase(testDb.config);
    try {
      // Only the pool has connected (Prisma, which listens for errors while connected, has not).
      expect(await db.sql.query(Prisma.sql`SELECT 'before' AS "state"`)).toEqual([{ state: 'before' }]);
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      const name = new URL(testDb.url).pathname.slice(1);
      const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await admin.end();
      expect(rowCount).toBeGreaterThan(0);
      // Without a listener the pool's 'error' would be thrown as an unhandled error here.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await db.sql.query(Prisma.sql`SELECT 'after' AS "state"`)).toEqual([{ state: 'after' }]);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });
});
