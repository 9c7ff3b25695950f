// The SQLite statement cache: a statement is prepared once however often it runs, each use gets
// its own parameters, and Prisma over the cache still reads, writes and rolls back transactions.
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { cachingStatements } from '../../src/db/sqlite-statement-cache.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe('cachingStatements over a better-sqlite3 connection', () => {
  it('prepares each SQL text once and binds each use to its own parameters', () => {
    const db = new Sqlite(':memory:');
    let prepared = 0;
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof db.prepare;
    const cached = cachingStatements(db);
    cached.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    const insert = 'INSERT INTO t (id, name) VALUES (?, ?)';
    cached.prepare(insert).bind([1, 'ada']).run();
    cached.prepare(insert).bind([2, 'grace']).run();
    const select = 'SELECT name FROM t WHERE id = ?';
    const read = (id: number) => (cached.prepare(select) as unknown as { bind(a: unknown[]): { raw(): { all(): unknown[] } } }).bind([id]).raw().all();
    expect(read(1)).toEqual([['ada']]);
    expect(read(2)).toEqual([['grace']]);
    expect(prepared).toBe(2);
    // Statements without parameters (BEGIN, COMMIT) run straight from prepare.
    cached.prepare('BEGIN').run();
    cached.prepare('DELETE FROM t').run();
    cached.prepare('ROLLBACK').run();
    expect(read(1)).toEqual([['ada']]);
    db.close();
  });
});

describe('Prisma on SQLite through the statement cache', () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    db = await openDatabase(testDb.config);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('reads back what it wrote, each read with its own parameter, and a failed transaction leaves nothing', async () => {
    const make = (name: string) => db.prisma.group.create({ data: { id: `group-${name}`, name } });
    const [a, b] = [await make('alpha'), await make('beta')];
    expect((await db.prisma.group.findUnique({ where: { id: a.id } }))?.name).toBe('alpha');
    expect((await db.prisma.group.findUnique({ where: { id: b.id } }))?.name).toBe('beta');
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.group.create({ data: { id: 'group-gamma', name: 'gamma' } });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.prisma.group.findMany({ orderBy: { name: 'asc' }, select: { name: true } })).toEqual([{ name: 'alpha' }, { name: 'beta' }]);
  });
});
