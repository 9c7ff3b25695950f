// The adapter's batched find stays a handful of index lookups however many sessions, grants and
// tokens are stored: the database's own plan for it, on a table with thousands of each, reads no
// table from end to end (a plan that tested every Session row cost PostgreSQL 33 ms per find at
// 66,000 sessions). And it still brings what it promises: the rows asked for, each token's grant,
// each interaction's session, and each session's interactions with their grants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { batchedFindQuery, createOidcPayloadRepository } from '../../src/db/oidc-payload-repository.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';

const PEOPLE = 3_000;
const future = () => new Date(Date.now() + 3_600_000);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.each(PROVIDERS)('the batched find on %s', (provider) => {
  let testDb: TestDatabase;
  let db: Database;
  const wanted = [
    { model: 'Interaction', key: 'interaction-17' },
    { model: 'AccessToken', key: 'token-42' },
    { model: 'Session', key: 'session-5' },
  ];

  beforeAll(async () => {
    testDb = await createTestDatabase(provider);
    db = await openDatabase(testDb.config);
    const expiresAt = future();
    const rows = Array.from({ length: PEOPLE }, (_, i) => [
      { model: 'Session', id: `session-${i}`, uid: `uid-${i}`, payload: '{}', expiresAt },
      // An interaction carries the grant its consent ended with (odd ones: none yet).
      { model: 'Interaction', id: `interaction-${i}`, uid: `uid-${i}`, grantId: i % 2 === 0 ? null : `grant-${i}`, payload: '{}', expiresAt },
      { model: 'Grant', id: `grant-${i}`, payload: '{}', expiresAt },
      { model: 'AccessToken', id: `token-${i}`, grantId: `grant-${i}`, payload: '{}', expiresAt },
    ]).flat();
    for (let i = 0; i < rows.length; i += 1_000) await db.prisma.oidcPayload.createMany({ data: rows.slice(i, i + 1_000) });
    // PostgreSQL's autovacuum gathers statistics by itself; SQLite has none unless asked, and
    // Sesame never asks: its plan must be right without them.
    if (provider === 'postgresql') await db.prisma.$executeRawUnsafe('ANALYZE');
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('brings the rows asked for, the token’s grant, the interaction’s session and grant, the session’s interaction and its grant', async () => {
    const rows = await db.prisma.$queryRaw<{ model: string; id: string }[]>(batchedFindQuery(wanted, new Date()));
    expect(rows.map(({ model, id }) => `${model}:${id}`).sort()).toEqual([
      'AccessToken:token-42',
      'Grant:grant-17',
      'Grant:grant-42',
      'Grant:grant-5',
      'Interaction:interaction-17',
      'Interaction:interaction-5',
      'Session:session-17',
      'Session:session-5',
    ]);
    const repository = createOidcPayloadRepository(db.prisma, db.sql);
    const [interaction, token] = await Promise.all([repository.find('Interaction', 'interaction-17'), repository.find('AccessToken', 'token-42')]);
    expect(interaction?.payload).toBe('{}');
    expect(token?.payload).toBe('{}');
  });

  it('indexes grantId, uid and userCode only on the rows that carry one', async () => {
    const definitions =
      provider === 'postgresql'
        ? await db.prisma.$queryRawUnsafe<{ name: string; sql: string }[]>(
            `SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'oidc_payload'`,
          )
        : await db.prisma.$queryRawUnsafe<{ name: string; sql: string }[]>(
            `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'oidc_payload'`,
          );
    const definition = (name: string) => definitions.find((index) => index.name === name)?.sql ?? `no index ${name}`;
    expect(definition('oidc_payload_grantId_idx')).toMatch(/WHERE \(?"grantId" IS NOT NULL/);
    expect(definition('oidc_payload_model_uid_idx')).toMatch(/WHERE \(?"?uid"? IS NOT NULL/);
    expect(definition('oidc_payload_model_userCode_idx')).toMatch(/WHERE \(?"userCode" IS NOT NULL/);
    expect(definition('oidc_payload_expiresAt_idx')).toMatch(/^CREATE INDEX "?oidc_payload_expiresAt_idx"? ON [^W]*$/);
  });

  it('looks rows up by key or index, never reading the table through', async () => {
    const query = batchedFindQuery(wanted, new Date());
    if (provider === 'postgresql') {
      const [explained] = await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`,
        ...query.values,
      );
      const nodes = nodesOf(explained!['QUERY PLAN'][0]!.Plan);
      expect(nodes.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
      const touched = nodes.reduce((sum, node) => sum + (node['Rows Removed by Filter'] ?? 0) * node['Actual Loops'], 0);
      expect(touched).toBeLessThan(20);
    } else {
      const steps = await db.prisma.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${query.sql}`, ...query.values);
      const reads = steps.map((step) => step.detail).filter((detail) => detail.includes('oidc_payload'));
      expect(reads.length).toBeGreaterThan(0);
      // Each read is a search on a whole key: (model, id), (model, uid) or grantId, never a range of a model's rows.
      expect(reads.filter((detail) => !/^SEARCH \S+ USING (COVERING )?INDEX \S+ \((model=\? AND (id|uid)=\?|grantId=\?)\)$/.test(detail))).toEqual([]);
      // No IN list: SQLite builds an ephemeral table for each one on every run (`npm run bench:prisma`: 18 µs a find, against 14).
      expect(steps.map((step) => step.detail).filter((detail) => /LIST SUBQUERY|EPHEMERAL/.test(detail))).toEqual([]);
    }
  });
});
