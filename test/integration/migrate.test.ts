import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';

describe.each(PROVIDERS)('migrations on %s', (provider) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('applies every migration once, even when two instances start at the same moment', async () => {
    db = await createTestDatabase(provider, { migrated: false });
    const results = await Promise.all([migrate(db.config), migrate(db.config)]);
    const total = readMigrations(provider).length;
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, total]);
    expect((await migrate(db.config)).applied).toEqual([]);

    const database = await openDatabase(db.config);
    try {
      const rows = await database.prisma.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM _prisma_migrations');
      expect(rows.map((r) => r.migration_name).sort()).toEqual(readMigrations(provider).map((m) => m.name));
      await database.prisma.user.create({ data: { id: 'u1', email: 'a@example.com', passwordHash: 'x' } });
      expect(await database.prisma.user.count()).toBe(1);
    } finally {
      await database.close();
    }
  });
});
