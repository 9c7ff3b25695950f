// The audit service over its real repository on a SQLite file: what a record keeps, the secrets
// it drops whatever a caller passes, that recording never fails the change it records, and how
// the log is read back (newest first, filters, pages). The types are part of the contract too:
// `npm run check` compiles the @ts-expect-error lines below.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditRepository, type AuditRepository } from '../../src/db/audit-repository.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import type { AuditEntry, By } from '../../src/domain/audit/actions.js';
import { createAuditService, type AuditService } from '../../src/domain/audit/audit-service.js';
import type { Logger, LogFields } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ADMIN: By = { actor: 'user:admin-sub', sourceAddress: '203.0.113.7' };

describe('audit service', () => {
  let testDb: TestDatabase;
  let db: Database;
  let repo: AuditRepository;
  let audit: AuditService;
  const errors: { msg: string; fields: LogFields | undefined }[] = [];
  const log: Logger = { debug() {}, info() {}, warn() {}, infoUnredacted() {}, error: (msg, fields) => void errors.push({ msg, fields }) };

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    db = await openDatabase(testDb.config);
    repo = createAuditRepository(db.prisma, db.sql);
    audit = createAuditService(repo, log);
  });
  afterEach(async () => {
    await db.prisma.auditEvent.deleteMany();
    errors.length = 0;
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const all = async () => (await audit.list({ limit: 500 })).events;

  it('keeps who acted, from where, the action, its target and details, and when', async () => {
    const before = Date.now();
    await audit.record(ADMIN, { action: 'user.created', target: 'user:u1', details: { email: 'ada@example.com', is_admin: false } });
    await audit.record({ actor: 'cli:operator' }, { action: 'user.password_set', target: 'user:u1' });
    await audit.record({ actor: 'anonymous', sourceAddress: '198.51.100.1' }, { action: 'login.failed', target: undefined, details: {} });

    const [created, passwordSet, failed] = [
      ...(await audit.list({ action: 'user.created' })).events,
      ...(await audit.list({ action: 'user.password_set' })).events,
      ...(await audit.list({ action: 'login.failed' })).events,
    ];
    expect(created).toEqual({
      id: expect.any(String),
      at: expect.any(String),
      actor: 'user:admin-sub',
      action: 'user.created',
      target: 'user:u1',
      source_address: '203.0.113.7',
      details: { email: 'ada@example.com', is_admin: false },
    });
    expect(Date.parse(created!.at)).toBeGreaterThanOrEqual(before - 1000);
    // No address (the CLI has none) and no details are stored as null and {}.
    expect(passwordSet).toMatchObject({ actor: 'cli:operator', target: 'user:u1', source_address: null, details: {} });
    expect(failed).toMatchObject({ actor: 'anonymous', target: null, source_address: '198.51.100.1', details: {} });
    expect(await audit.exists(created!.id)).toBe(true);
    expect(await audit.exists('no-such-id')).toBe(false);
  });

  it('drops every detail whose name looks like it could hold a secret, even one the types would refuse', async () => {
    // The types admit no such detail; this is the net under them, for a value cast past them.
    const smuggled = {
      action: 'client.secret_rotated',
      target: 'client:c1',
      details: { client_name: 'Notes', client_secret: 's1', password: 'p1', access_token: 't1', d: 'private-jwk-part', cookie: 'k1', private_key: 'x' },
    } as unknown as AuditEntry;
    await audit.record(ADMIN, smuggled);
    const [event] = await all();
    expect(event!.details).toEqual({ client_name: 'Notes' });
    const row = JSON.stringify(await db.prisma.auditEvent.findMany());
    for (const secret of ['s1', 'p1', 't1', 'private-jwk-part', 'k1']) expect(row).not.toContain(secret);
  });

  it('stores what cannot be stored as is (a NUL in a claimed client_id) with U+FFFD, rather than losing the event', async () => {
    await audit.record(
      { actor: 'anonymous', sourceAddress: '198.51.100.2' },
      { action: 'client.authentication_failed', target: 'client:bad\u0000id', details: { endpoint: 'token', client_id: 'bad\u0000id' } },
    );
    const [event] = await all();
    expect(event).toMatchObject({ target: 'client:bad\uFFFDid', details: { endpoint: 'token', client_id: 'bad\u0000id' } });
  });

  it('never fails the change it records: a write that fails is logged, with the action', async () => {
    // A real failure: the table is not there.
    await db.prisma.$executeRawUnsafe('ALTER TABLE audit_event RENAME TO audit_event_away');
    try {
      await expect(audit.record(ADMIN, { action: 'user.enabled', target: 'user:u2', details: { email: 'bo@example.com' } })).resolves.toBeUndefined();
    } finally {
      await db.prisma.$executeRawUnsafe('ALTER TABLE audit_event_away RENAME TO audit_event');
    }
    expect(errors).toEqual([{ msg: 'audit event could not be stored', fields: { action: 'user.enabled', err: expect.any(Error) } }]);
    expect(await all()).toEqual([]);
  });

  describe('reading the log', () => {
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

    /** Events at known times, straight through the repository (the service stamps the time itself). */
    async function seed(): Promise<void> {
      for (let i = 0; i < 7; i++) {
        await repo.append({
          id: `e${i}`,
          at: at(70 - i * 10),
          actor: 'system',
          action: i % 2 === 0 ? 'key.created' : 'key.activated',
          target: `key:k${i}`,
          sourceAddress: null,
          details: '{}',
        });
      }
    }

    it('lists newest first, filtered by action and by time', async () => {
      await seed();
      expect((await all()).map((e) => e.id)).toEqual(['e6', 'e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
      expect((await audit.list({ action: 'key.activated' })).events.map((e) => e.id)).toEqual(['e5', 'e3', 'e1']);
      expect((await audit.list({ since: at(35) })).events.map((e) => e.id)).toEqual(['e6', 'e5', 'e4']);
      expect((await audit.list({ action: 'key.created', since: at(35) })).events.map((e) => e.id)).toEqual(['e6', 'e4']);
      expect((await audit.list({ action: 'no.such_action' })).events).toEqual([]);
      // A filter that could not even be stored matches nothing (rather than failing).
      expect((await audit.list({ action: 'key\u0000created' })).events).toEqual([]);
    });

    it('pages with a cursor until next_cursor is null, each event once', async () => {
      await seed();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await audit.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.events.map((e) => e.id));
        if (page.next_cursor === null) break;
        expect(page.events).toHaveLength(3);
        cursor = page.next_cursor;
      }
      expect(seen).toEqual(['e6', 'e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
    });

    it('keeps the page size between 1 and 500', async () => {
      await seed();
      expect((await audit.list({ limit: 0 })).events).toHaveLength(1);
      expect((await audit.list({ limit: -5 })).events).toHaveLength(1);
      expect((await audit.list()).events).toHaveLength(7);
      expect((await audit.list({ limit: 10_000 })).next_cursor).toBeNull();
    });
  });

  it('refuses in its types a misspelt action, a target of the wrong kind, a missing or unknown detail, and an unknown actor', () => {
    const entries: AuditEntry[] = [
      { action: 'client.secret_rotated', target: 'client:c1', details: { client_name: 'Notes' } },
      // @ts-expect-error a misspelt action
      { action: 'client.secret_rotate', target: 'client:c1', details: { client_name: 'Notes' } },
      // @ts-expect-error a user's target on a client's action
      { action: 'client.secret_rotated', target: 'user:u1', details: { client_name: 'Notes' } },
      // @ts-expect-error a missing detail
      { action: 'user.unlocked', target: 'user:u1', details: { email: 'ada@example.com' } },
      // @ts-expect-error a detail the action does not keep
      { action: 'user.enabled', target: 'user:u1', details: { email: 'ada@example.com', password: 'never' } },
    ];
    // @ts-expect-error an actor that is none of the known forms
    const nobody: By = { actor: 'root' };
    expect(entries).toHaveLength(5);
    expect(nobody.actor).toBe('root');
  });
});
