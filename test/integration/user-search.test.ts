// Searching users by email takes the search literally: `%` and `_` are characters, not wildcards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_SECRETS } from '../helpers/sesame.js';

describe.each(PROVIDERS)('user search on %s', (provider) => {
  let db: TestDatabase;
  let container: Container;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS }), silentLogger);
    for (const email of ['a_b@x.example', 'axb@x.example', 'p%q@x.example', 'pzq@x.example', 'plain@x.example']) {
      await container.accounts.create({ email, password: 'a long enough password' });
    }
  });
  afterAll(async () => {
    await container?.close();
    await db?.drop();
  });

  const emails = async (search: string, limit?: number, cursor?: string) =>
    (await container.accounts.page({ search, ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) })).users.map((u) => u.email);

  it('matches % and _ literally', async () => {
    expect(await emails('_')).toEqual(['a_b@x.example']);
    expect(await emails('%')).toEqual(['p%q@x.example']);
    expect(await emails('a_b')).toEqual(['a_b@x.example']);
    expect(await emails('x.example')).toHaveLength(5);
  });

  it('pages a literal search without skipping or repeating anyone', async () => {
    for (let i = 0; i < 5; i++) await container.accounts.create({ email: `u_${i}@y.example`, password: 'a long enough password' });
    for (let i = 0; i < 5; i++) await container.accounts.create({ email: `ux${i}@y.example`, password: 'a long enough password' });
    const first = await container.accounts.page({ search: 'u_', limit: 3 });
    expect(first.users.map((u) => u.email)).toEqual(['u_0@y.example', 'u_1@y.example', 'u_2@y.example']);
    const second = await container.accounts.page({ search: 'u_', limit: 3, cursor: first.next_cursor! });
    expect(second.users.map((u) => u.email)).toEqual(['u_3@y.example', 'u_4@y.example']);
    expect(second.next_cursor).toBeNull();
  });
});
