// The account service over its real repositories on a SQLite file: what create accepts and
// refuses, sign-in checks, changes, disabling and deleting (which end the person's sessions and
// grants through the real user-sessions service), unlocking (through the real sign-in throttle),
// paging and search, and the one audit record each change leaves, by whoever the caller names,
// with no password in it. Passwords are hashed with the real argon2id, a few times per test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptStore } from '../../src/db/attempt-store.js';
import { createAuditRepository } from '../../src/db/audit-repository.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createOidcPayloadRepository, type OidcPayloadRepository } from '../../src/db/oidc-payload-repository.js';
import { storedKeyFor } from '../../src/db/payload-at-rest.js';
import { createUserRepository, type UserRepository } from '../../src/db/user-repository.js';
import { createAccountService, type AccountService } from '../../src/domain/accounts/account-service.js';
import { createPasswordHasher } from '../../src/domain/accounts/password.js';
import { createUserSessionService } from '../../src/domain/accounts/user-sessions.js';
import type { By } from '../../src/domain/audit/actions.js';
import { createAuditService, type AuditEvent, type AuditService } from '../../src/domain/audit/audit-service.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { AttemptThrottle } from '../../src/domain/throttling/attempt-throttle.js';
import { createSignInThrottle, type SignInThrottle } from '../../src/domain/throttling/sign-in-throttle.js';
import type { Logger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ADMIN: By = { actor: 'user:admin-sub', sourceAddress: '203.0.113.7' };
const CLI: By = { actor: 'cli:operator' };
const PASSWORD = 'correct horse battery';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, infoUnredacted() {} };

describe('account service', () => {
  let testDb: TestDatabase;
  let db: Database;
  let users: UserRepository;
  let payloads: OidcPayloadRepository;
  let audit: AuditService;
  let throttle: SignInThrottle;
  let accounts: AccountService;
  /** A real argon2id hash of PASSWORD, for users seeded straight through the repository. */
  let passwordHash: string;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    db = await openDatabase(testDb.config);
    users = createUserRepository(db.prisma, db.sql);
    payloads = createOidcPayloadRepository(db.prisma, db.sql);
    audit = createAuditService(createAuditRepository(db.prisma, db.sql), quiet);
    const userSessions = createUserSessionService(payloads, audit);
    const attempts = new AttemptThrottle(createAttemptStore(db.prisma, db.sql), { lockout: 60_000, lockoutMax: 900_000, failureReset: 3_600_000 });
    throttle = createSignInThrottle(attempts, { maxFailures: 3, maxFailuresPerAddress: 100 });
    accounts = createAccountService(users, { audit, endSessions: (id) => userSessions.endAll(id), lockouts: throttle, hasher: createPasswordHasher(2) });
    passwordHash = await createPasswordHasher(1).hash(PASSWORD);
  });
  afterEach(async () => {
    await db.prisma.user.deleteMany();
    await db.prisma.auditEvent.deleteMany();
    await db.prisma.oidcPayload.deleteMany();
    await db.prisma.rateLimit.deleteMany();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const events = async (): Promise<AuditEvent[]> => (await audit.list({ limit: 500 })).events;
  /** Events recorded in the same millisecond come back in no set order; these sort by who acted. */
  const byActor = (list: AuditEvent[]) => [...list].sort((a, b) => a.actor.localeCompare(b.actor));
  /** The audit table as stored, every column, for looking for what must never be there. */
  const auditRows = async (): Promise<string> => JSON.stringify(await db.prisma.auditEvent.findMany());

  /** A user straight through the repository (no argon2id), with PASSWORD. */
  async function seed(id: string, email: string, extra: { name?: string; disabled?: boolean } = {}): Promise<void> {
    await users.create({ id, email, name: extra.name ?? null, emailVerified: false, passwordHash });
    if (extra.disabled) await users.update(id, { disabled: true });
  }

  describe('create', () => {
    it('normalises the email, trims the name, stores an argon2id hash and records one user.created by the caller', async () => {
      const user = await accounts.create({ email: '  Ada.Lovelace@Example.COM ', password: PASSWORD, name: '  Ada  ' }, ADMIN);
      expect(user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'ada.lovelace@example.com',
        name: 'Ada',
        emailVerified: false,
        disabled: false,
        isAdmin: false,
        attributes: {},
        createdAt: expect.any(Date),
      });
      const row = await users.findById(user.id);
      expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
      expect(row!.passwordHash).not.toContain(PASSWORD);
      expect(await accounts.findByEmail('ADA.LOVELACE@example.com')).toEqual(user);

      expect(await events()).toEqual([
        {
          id: expect.any(String),
          at: expect.any(String),
          actor: 'user:admin-sub',
          action: 'user.created',
          target: `user:${user.id}`,
          source_address: '203.0.113.7',
          details: { email: 'ada.lovelace@example.com', is_admin: false },
        },
      ]);
      expect(await auditRows()).not.toContain(PASSWORD);
    });

    it('keeps emailVerified and isAdmin when given, and records as the system when no one is named', async () => {
      const user = await accounts.create({ email: 'root@example.com', password: PASSWORD, emailVerified: true, isAdmin: true });
      expect(user).toMatchObject({ emailVerified: true, isAdmin: true, name: null });
      expect(await events()).toMatchObject([{ actor: 'system', source_address: null, action: 'user.created', details: { is_admin: true } }]);
    });

    const refusals: [string, { email: string; password: string; name?: string }, string, RegExp][] = [
      ['an email without a domain', { email: 'ada@example', password: PASSWORD }, 'email', /^email "ada@example" is not a valid email address$/],
      ['an email with a space', { email: 'ada lovelace@example.com', password: PASSWORD }, 'email', /not a valid email address/],
      ['an empty email', { email: '   ', password: PASSWORD }, 'email', /not a valid email address/],
      ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD }, 'email', /not a valid email address/],
      ['an email with a NUL (not echoed)', { email: 'ada\u0000@example.com', password: PASSWORD }, 'email', /^email must not contain control characters/],
      ['a name over 200 characters', { email: 'ada@example.com', password: PASSWORD, name: 'n'.repeat(201) }, 'name', /^name must be at most 200 characters$/],
      [
        'a name with a control character',
        { email: 'ada@example.com', password: PASSWORD, name: 'Ada\u0007' },
        'name',
        /^name must not contain control characters/,
      ],
      ['a password of 9 characters', { email: 'ada@example.com', password: 'nine 9999' }, 'password', /^password must be at least 10 characters$/],
      ['a password over 256 characters', { email: 'ada@example.com', password: 'p'.repeat(257) }, 'password', /^password must be at most 256 characters$/],
      [
        'a common password',
        { email: 'ada@example.com', password: 'password123' },
        'password',
        /^this password is too common or easy to guess; choose another$/,
      ],
      [
        'a password containing the email',
        { email: 'ada@example.com', password: 'my ada@example.com pass' },
        'password',
        /^password must not be or contain your email address or name$/,
      ],
      [
        'a password containing the name',
        { email: 'ada@example.com', name: 'Ada Lovelace', password: 'ada lovelace rules' },
        'password',
        /^password must not be or contain your email address or name$/,
      ],
    ];
    it.each(refusals)('refuses %s with a ValidationError naming the field, and stores and records nothing', async (_what, input, field, message) => {
      const error = await accounts.create(input, ADMIN).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field, message: expect.stringMatching(message) });
      expect(await db.prisma.user.count()).toBe(0);
      expect(await events()).toEqual([]);
    });

    it('refuses a second user with the same email, however it is written, with a ConflictError', async () => {
      const first = await accounts.create({ email: 'bo@example.com', password: PASSWORD }, ADMIN);
      const error = await accounts.create({ email: ' BO@example.com', password: 'another password' }, ADMIN).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe('a user with email bo@example.com already exists');
      expect((await accounts.list()).map((u) => u.id)).toEqual([first.id]);
      expect((await events()).map((e) => e.action)).toEqual(['user.created']);
    });
  });

  describe('authenticate', () => {
    it('gives the account id for the right password, whatever the case and spacing of the email', async () => {
      await seed('u-ada', 'ada@example.com');
      expect(await accounts.authenticate('ada@example.com', PASSWORD)).toMatchObject({ accountId: 'u-ada' });
      expect(await accounts.authenticate('  ADA@Example.com ', PASSWORD)).toMatchObject({ accountId: 'u-ada' });
    });

    it("does not let the decoy's password sign in a person invited without a password", async () => {
      // No hash yet: checked against the decoy like an unknown email; before the missing hash was
      // refused, the decoy's own password signed them in.
      await accounts.invite({ email: 'invited@example.com' });
      expect(await accounts.authenticate('invited@example.com', 'decoy password for unknown emails')).toBeUndefined();
    });
    it('gives nothing for a wrong password, an unknown email (checked against the decoy hash), a too long password, or a disabled user', async () => {
      await seed('u-ada', 'ada@example.com');
      await seed('u-off', 'off@example.com', { disabled: true });
      expect(await accounts.authenticate('ada@example.com', `${PASSWORD}!`)).toBeUndefined();
      expect(await accounts.authenticate('ada@example.com', '')).toBeUndefined();
      expect(await accounts.authenticate('nobody@example.com', PASSWORD)).toBeUndefined();
      // The decoy is hashed once and reused; an unknown email still never matches it.
      expect(await accounts.authenticate('nobody@example.com', 'decoy password for unknown emails')).toBeUndefined();
      expect(await accounts.authenticate('ada@example.com', 'p'.repeat(1025))).toBeUndefined();
      // A disabled account with its right password looks like a wrong password.
      expect(await accounts.authenticate('off@example.com', PASSWORD)).toBeUndefined();
      expect(await accounts.findActive('u-off')).toBeUndefined();
      expect(await accounts.findById('u-off')).toMatchObject({ disabled: true });
      // Signing in records nothing here: the sign-in pages do.
      expect(await events()).toEqual([]);
    });
  });

  describe('update', () => {
    it('changes only the fields given, and records which changed', async () => {
      await seed('u-ada', 'ada@example.com', { name: 'Ada' });
      const updated = await accounts.update('u-ada', { emailVerified: true }, ADMIN);
      expect(updated).toMatchObject({ id: 'u-ada', name: 'Ada', emailVerified: true, isAdmin: false, disabled: false });
      const admin = await accounts.update('u-ada', { isAdmin: true, name: 'Ada L.' }, CLI);
      expect(admin).toMatchObject({ name: 'Ada L.', emailVerified: true, isAdmin: true });
      expect(await accounts.get('u-ada')).toEqual(admin);

      const recorded = await events();
      expect(recorded).toHaveLength(2);
      const [first, second] = [recorded.find((e) => e.actor === ADMIN.actor), recorded.find((e) => e.actor === CLI.actor)];
      expect(first).toMatchObject({
        actor: 'user:admin-sub',
        source_address: '203.0.113.7',
        action: 'user.updated',
        target: 'user:u-ada',
        details: { changed: ['email_verified'], email: 'ada@example.com', is_admin: false },
      });
      expect(second).toMatchObject({ source_address: null, details: { changed: ['is_admin', 'name'], is_admin: true } });
    });

    it('takes an empty change as no change, and still says when the user does not exist', async () => {
      await seed('u-ada', 'ada@example.com', { name: 'Ada' });
      expect(await accounts.update('u-ada', {}, ADMIN)).toMatchObject({ id: 'u-ada', name: 'Ada' });
      await expect(accounts.update('u-nobody', {}, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      await expect(accounts.delete('nobody\u0000@x.com', ADMIN)).rejects.toThrow('no user with email (not a valid email)');
    });

    it('clears the name with null (or only spaces), and a change to the same value changes nothing', async () => {
      await seed('u-ada', 'ada@example.com', { name: 'Ada' });
      expect((await accounts.update('u-ada', { name: null }, ADMIN)).name).toBeNull();
      await accounts.update('u-ada', { name: 'Ada' }, ADMIN);
      expect((await accounts.update('u-ada', { name: '   ' }, ADMIN)).name).toBeNull();
      expect((await accounts.update('u-ada', { name: null, emailVerified: false }, ADMIN)).name).toBeNull();
      // Events of the same millisecond have no order between them: compare what was recorded, not its order.
      expect((await events()).map((e) => JSON.stringify(e.details.changed)).sort()).toEqual(['["name"]', '["name"]', '["name"]', '[]']);
    });

    it('refuses a bad name and an unknown user, changing and recording nothing', async () => {
      await seed('u-ada', 'ada@example.com', { name: 'Ada' });
      await expect(accounts.update('u-ada', { name: 'x'.repeat(201), isAdmin: true }, ADMIN)).rejects.toMatchObject({ name: 'ValidationError', field: 'name' });
      await expect(accounts.update('no-such-user', { name: 'Bo' }, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      await expect(accounts.update('bad\u0000id', { name: 'Bo' }, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      expect(await accounts.get('u-ada')).toMatchObject({ name: 'Ada', isAdmin: false });
      expect(await events()).toEqual([]);
    });
    it('changes the email: lower-cased, checked like a new one, refused when taken, and signs in with the new one', async () => {
      await seed('u-ada', 'ada@example.com');
      await seed('u-bo', 'bo@example.com');
      expect(await accounts.findActive('u-ada')).toMatchObject({ email: 'ada@example.com' }); // cached now
      const changed = await accounts.update('u-ada', { email: '  Ada.L@Example.COM ' }, ADMIN);
      expect(changed.email).toBe('ada.l@example.com');
      // The provider's cached account is dropped with the change.
      expect(await accounts.findActive('u-ada')).toMatchObject({ email: 'ada.l@example.com' });
      expect(await accounts.authenticate('ADA.L@example.com', PASSWORD)).toMatchObject({ accountId: 'u-ada' });
      expect(await accounts.authenticate('ada@example.com', PASSWORD)).toBeUndefined();
      expect((await events())[0]).toMatchObject({ action: 'user.updated', details: { changed: ['email'], email: 'ada.l@example.com' } });

      await expect(accounts.update('u-ada', { email: 'BO@example.com' }, ADMIN)).rejects.toBeInstanceOf(ConflictError);
      await expect(accounts.update('u-ada', { email: 'no at sign' }, ADMIN)).rejects.toMatchObject({ name: 'ValidationError', field: 'email' });
      await expect(accounts.update('u-ada', { email: 'x\u0000@example.com' }, ADMIN)).rejects.toBeInstanceOf(ValidationError);
      expect((await accounts.get('u-ada')).email).toBe('ada.l@example.com');
      expect(await events()).toHaveLength(1);
    });
    it('an admin giving a new address leaves it unverified unless they vouch for it too', async () => {
      await seed('u-ada', 'ada@example.com');
      await accounts.update('u-ada', { emailVerified: true }, ADMIN);
      const moved = await accounts.update('u-ada', { email: 'ada@new.example.com' }, ADMIN);
      expect(moved.emailVerified).toBe(false);
      expect((await events())[0]).toMatchObject({ details: { changed: ['email', 'email_verified'] } });
      // The same address again is no change of address: verified stays as it is.
      await accounts.update('u-ada', { emailVerified: true }, ADMIN);
      expect((await accounts.update('u-ada', { email: 'ADA@new.example.com' }, ADMIN)).emailVerified).toBe(true);
      expect((await accounts.update('u-ada', { email: 'ada@third.example.com', emailVerified: true }, ADMIN)).emailVerified).toBe(true);
    });
  });

  /** A signed-in browser session of `accountId` holding one grant, with an access token under it, as the provider's adapter stores them. */
  async function signedIn(accountId: string, sessionId: string, grantId: string): Promise<void> {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const session = { accountId, uid: `uid-${sessionId}`, loginTs: 1_700_000_000, authorizations: { notes: { grantId } } };
    await payloads.upsert('Session', storedKeyFor('Session', sessionId), JSON.stringify(session), { uid: session.uid, expiresAt });
    await payloads.upsert('Grant', grantId, JSON.stringify({ accountId, clientId: 'notes', openid: { scope: 'openid' } }), { expiresAt });
    await payloads.upsert('AccessToken', storedKeyFor('AccessToken', `at-${grantId}`), JSON.stringify({ accountId, grantId }), { grantId, expiresAt });
  }
  const rowsOf = async (accountId: string) =>
    (await db.prisma.oidcPayload.findMany({ where: { payload: { contains: `"accountId":"${accountId}"` } }, orderBy: { model: 'asc' } })).map((r) => r.model);

  describe('setDisabled', () => {
    it("disabling stops sign-in and ends that person's sessions and grants (with their tokens), nobody else's", async () => {
      await seed('u-ada', 'ada@example.com');
      await seed('u-bo', 'bo@example.com');
      await signedIn('u-ada', 'sess-ada', 'grant-ada');
      await signedIn('u-bo', 'sess-bo', 'grant-bo');

      const { user, revoked } = await accounts.setDisabled('u-ada', true, ADMIN);
      expect(user).toMatchObject({ id: 'u-ada', disabled: true });
      expect(revoked).toEqual({ revoked_sessions: 1, revoked_grants: 1 });
      expect(await rowsOf('u-ada')).toEqual([]);
      expect(await rowsOf('u-bo')).toEqual(['AccessToken', 'Grant', 'Session']);
      expect(await accounts.authenticate('ada@example.com', PASSWORD)).toBeUndefined();
      expect(await events()).toMatchObject([
        {
          actor: 'user:admin-sub',
          source_address: '203.0.113.7',
          action: 'user.disabled',
          target: 'user:u-ada',
          details: { email: 'ada@example.com', revoked_sessions: 1, revoked_grants: 1 },
        },
      ]);
    });

    it('enabling lets them sign in again, ends nothing and records user.enabled', async () => {
      await seed('u-ada', 'ada@example.com', { disabled: true });
      await signedIn('u-ada', 'sess-ada', 'grant-ada');
      const { user, revoked } = await accounts.setDisabled('u-ada', false, CLI);
      expect(user.disabled).toBe(false);
      expect(revoked).toEqual({ revoked_sessions: 0, revoked_grants: 0 });
      expect(await rowsOf('u-ada')).toHaveLength(3);
      expect(await accounts.authenticate('ada@example.com', PASSWORD)).toMatchObject({ accountId: 'u-ada' });
      expect(await events()).toEqual([expect.objectContaining({ actor: 'cli:operator', action: 'user.enabled', details: { email: 'ada@example.com' } })]);
    });

    it('refuses an unknown user', async () => {
      await expect(accounts.setDisabled('no-such-user', true, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      expect(await events()).toEqual([]);
    });
  });

  describe('setPassword', () => {
    it('replaces the password (the old one stops working) and records it without the password', async () => {
      await seed('u-ada', 'ada@example.com');
      await accounts.setPassword('u-ada', 'a brand new passphrase', CLI);
      expect(await accounts.authenticate('ada@example.com', 'a brand new passphrase')).toMatchObject({ accountId: 'u-ada' });
      expect(await accounts.authenticate('ada@example.com', PASSWORD)).toBeUndefined();
      expect(await events()).toEqual([expect.objectContaining({ actor: 'cli:operator', action: 'user.password_set', target: 'user:u-ada', details: {} })]);
      expect(await auditRows()).not.toContain('a brand new passphrase');
    });

    it('refuses a short password and an unknown user, changing and recording nothing', async () => {
      await seed('u-ada', 'ada@example.com');
      await expect(accounts.setPassword('u-ada', 'short', ADMIN)).rejects.toMatchObject({ name: 'ValidationError', field: 'password' });
      await expect(accounts.setPassword('no-such-user', 'long enough password', ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      expect(await accounts.authenticate('ada@example.com', PASSWORD)).toMatchObject({ accountId: 'u-ada' });
      expect(await events()).toEqual([]);
    });
  });

  describe('delete and deleteById', () => {
    it('delete(email) removes the person, ends their sessions and grants, and records the counts', async () => {
      await seed('u-ada', 'ada@example.com');
      await signedIn('u-ada', 'sess-ada', 'grant-ada');
      expect(await accounts.delete(' Ada@Example.com', ADMIN)).toEqual({ revoked_sessions: 1, revoked_grants: 1 });
      expect(await accounts.findById('u-ada')).toBeUndefined();
      expect(await rowsOf('u-ada')).toEqual([]);
      expect(await events()).toEqual([
        expect.objectContaining({
          actor: 'user:admin-sub',
          source_address: '203.0.113.7',
          action: 'user.deleted',
          target: 'user:u-ada',
          details: { email: 'ada@example.com', revoked_sessions: 1, revoked_grants: 1 },
        }),
      ]);
    });

    it('deleteById removes the person once; unknown ids and emails are a NotFoundError', async () => {
      await seed('u-bo', 'bo@example.com');
      expect(await accounts.deleteById('u-bo', CLI)).toEqual({ revoked_sessions: 0, revoked_grants: 0 });
      await expect(accounts.deleteById('u-bo', CLI)).rejects.toBeInstanceOf(NotFoundError);
      await expect(accounts.delete('bo@example.com', CLI)).rejects.toThrow(new NotFoundError('no user with email bo@example.com'));
      await expect(accounts.get('u-bo')).rejects.toBeInstanceOf(NotFoundError);
      expect(await events()).toEqual([expect.objectContaining({ actor: 'cli:operator', action: 'user.deleted', target: 'user:u-bo' })]);
    });
  });

  describe('unlock', () => {
    it('lifts a lockout the sign-in throttle set, and says whether there was one', async () => {
      await seed('u-ada', 'ada@example.com');
      for (let i = 0; i < 3; i++) await throttle.failed('ada@example.com', '198.51.100.9');
      expect(await throttle.accountLockedFor('ada@example.com')).toBeGreaterThan(0);

      const { user, wasLocked } = await accounts.unlock('u-ada', ADMIN);
      expect(user.id).toBe('u-ada');
      expect(wasLocked).toBe(true);
      expect(await throttle.accountLockedFor('ada@example.com')).toBe(0);
      // The failures are forgotten too: one more does not lock again.
      expect((await throttle.failed('ada@example.com', '198.51.100.9')).accountLockedFor).toBe(0);

      expect((await accounts.unlock('u-ada', CLI)).wasLocked).toBe(false);
      expect(byActor(await events())).toEqual([
        expect.objectContaining({ actor: 'cli:operator', action: 'user.unlocked', details: { email: 'ada@example.com', was_locked: false } }),
        expect.objectContaining({
          actor: 'user:admin-sub',
          action: 'user.unlocked',
          target: 'user:u-ada',
          details: { email: 'ada@example.com', was_locked: true },
        }),
      ]);
    });

    it('refuses an unknown user, and says so when no lockouts are wired', async () => {
      await seed('u-ada', 'ada@example.com');
      await expect(accounts.unlock('no-such-user', ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      const unwired = createAccountService(users, { audit });
      await expect(unwired.unlock('u-ada', ADMIN)).rejects.toThrow('sign-in lockouts are not wired in this process');
      expect(await events()).toEqual([]);
    });
  });

  describe('page', () => {
    const EMAILS = ['a_b@example.com', 'axb@example.com', '100%@example.com', 'x100y@example.com', 'c_d@example.org', 'plain@example.org', 'e_f@example.net'];
    const seedAll = async () => {
      // Ids in creation order, so the order is known even when two rows share a timestamp.
      for (const [i, email] of EMAILS.entries()) await seed(`u${i}`, email);
    };
    const ids = (page: { users: { id: string }[] }) => page.users.map((u) => u.id);

    it('pages in creation order with a cursor until next_cursor is null, each user once', async () => {
      await seedAll();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await accounts.page({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...ids(page));
        if (page.next_cursor === null) break;
        expect(page.users).toHaveLength(3);
        cursor = page.next_cursor;
      }
      expect(seen).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
      expect(ids(await accounts.page())).toEqual(seen);
      expect(ids(await accounts.page({ limit: 0 }))).toEqual(['u0']);
      expect(ids(await accounts.page({ limit: -3 }))).toEqual(['u0']);
    });

    it('searches the email for the text as typed: % and _ are literal, case does not matter', async () => {
      await seedAll();
      expect(ids(await accounts.page({ search: 'example.org' }))).toEqual(['u4', 'u5']);
      expect(ids(await accounts.page({ search: 'A_B' }))).toEqual(['u0']);
      expect(ids(await accounts.page({ search: '_' }))).toEqual(['u0', 'u4', 'u6']);
      expect(ids(await accounts.page({ search: '100%' }))).toEqual(['u2']);
      expect(ids(await accounts.page({ search: '%' }))).toEqual(['u2']);
      expect(ids(await accounts.page({ search: 'nobody' }))).toEqual([]);
      expect(ids(await accounts.page({ search: 'a\u0000b' }))).toEqual([]);
    });

    it('pages through a literal search one match at a time', async () => {
      await seedAll();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await accounts.page({ search: '_', limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...ids(page));
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
      expect(seen).toEqual(['u0', 'u4', 'u6']);
    });
  });

  it('leaves no password in the audit log, whatever was done', async () => {
    const passwords = ['first secret passphrase', 'second secret passphrase', 'never stored passphrase'];
    const user = await accounts.create({ email: 'cy@example.com', password: passwords[0]!, name: 'Cy' }, ADMIN);
    await accounts.setPassword(user.id, passwords[1]!, ADMIN);
    await expect(accounts.setPassword(user.id, 'short', ADMIN)).rejects.toBeInstanceOf(ValidationError);
    await accounts.authenticate('cy@example.com', passwords[2]!);
    await accounts.update(user.id, { name: 'Cy D.' }, ADMIN);
    await accounts.setDisabled(user.id, true, ADMIN);
    await accounts.deleteById(user.id, ADMIN);
    expect((await events()).map((e) => e.action).sort()).toEqual(['user.created', 'user.deleted', 'user.disabled', 'user.password_set', 'user.updated']);
    const rows = await auditRows();
    for (const password of [...passwords, 'short']) expect(rows).not.toContain(password);
    expect(rows).not.toContain('$argon2');
  });
});
