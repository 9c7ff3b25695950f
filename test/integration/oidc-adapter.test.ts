// The adapter contract: what oidc-provider expects from its storage (example/my_adapter.js in
// panva/node-oidc-provider), checked on every database this run covers, with real rows.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { createOidcPayloadRepository, type OidcPayloadRepository } from '../../src/db/oidc-payload-repository.js';
import { storedKeyFor } from '../../src/db/payload-at-rest.js';
import { createAdapter, type ClientSource } from '../../src/oidc/adapter.js';
import { startPayloadSweeper } from '../../src/oidc/payload-sweeper.js';
import { advanceClock, restoreClock } from '../helpers/clock.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';

const REDIRECT_URI = 'https://notes.example/cb';
const CLIENT = {
  client_id: 'notes',
  client_secret: 'notes-secret-0123456789abcdef0123456789',
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
};

/** What the adapter handed to the client service (dynamic registration's writes). */
const saved: { id: string; metadata: Record<string, unknown> }[] = [];
const deleted: string[] = [];

const clients: ClientSource = {
  findForProvider: async (clientId) => (clientId === CLIENT.client_id ? { ...CLIENT } : undefined),
  saveRegistered: async (id, metadata) => {
    if (metadata.client_name === 'bad') throw new ValidationError('name is not allowed here', 'name');
    saved.push({ id, metadata });
  },
  deleteRegistered: async (id) => {
    if (id !== CLIENT.client_id) throw new NotFoundError(`no client with id ${id}`);
    deleted.push(id);
  },
};

const epoch = () => Math.floor(Date.now() / 1000);
const past = () => new Date(Date.now() - 60_000);
const future = () => new Date(Date.now() + 3_600_000);

/** A payload shaped like the ones oidc-provider hands to upsert. */
function tokenPayload(kind: string, extra: Partial<AdapterPayload> = {}): AdapterPayload {
  return { jti: randomUUID(), kind, iat: epoch(), exp: epoch() + 60, clientId: CLIENT.client_id, accountId: 'acct-1', scope: 'openid', ...extra };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20)); // the poll interval
  }
}

describe.each(PROVIDERS)('oidc-provider adapter on %s', (provider) => {
  let db: TestDatabase;
  let database: Database;
  let payloads: OidcPayloadRepository;
  let Adapter: AdapterConstructor;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    database = await openDatabase(db.config);
    payloads = createOidcPayloadRepository(database.prisma, database.sql);
    Adapter = createAdapter({ payloads, clients });
  });
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });
  afterEach(restoreClock);

  /** The row stored for an id as oidc-provider presents it. */
  const row = (model: string, presentedId: string) =>
    database.prisma.oidcPayload.findUnique({ where: { model_id: { model, id: storedKeyFor(model, presentedId) } } });
  /** The row under a key exactly as given (rows the repository was handed directly). */
  const rowByKey = (model: string, key: string) => database.prisma.oidcPayload.findUnique({ where: { model_id: { model, id: key } } });

  describe('payload models', () => {
    it('finds what was upserted, with the lookup columns taken from the payload', async () => {
      const adapter = new Adapter('AccessToken');
      const payload = tokenPayload('AccessToken', { grantId: 'grant-rt', sessionUid: 'sess', claims: { userinfo: { email: null } } });
      const before = Date.now();
      await adapter.upsert(payload.jti!, payload, 60);

      expect(await adapter.find(payload.jti!)).toEqual(payload);
      const stored = await row('AccessToken', payload.jti!);
      expect(stored).toMatchObject({ grantId: 'grant-rt', consumedAt: null });
      // expiresIn is in seconds.
      expect(stored!.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 59_000);
      expect(stored!.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
    });

    it('gives undefined for an unknown id, and keeps models apart', async () => {
      const payload = tokenPayload('AccessToken');
      await new Adapter('AccessToken').upsert(payload.jti!, payload, 60);

      expect(await new Adapter('AccessToken').find(randomUUID())).toBeUndefined();
      expect(await new Adapter('RefreshToken').find(payload.jti!)).toBeUndefined();
    });

    it('overwrites on a second upsert of the same id', async () => {
      const adapter = new Adapter('Session');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, kind: 'Session', uid: 'uid-old', accountId: 'a' }, 60);
      await adapter.upsert(id, { jti: id, kind: 'Session', uid: 'uid-new', accountId: 'b' }, 120);

      expect(await adapter.find(id)).toEqual({ jti: id, kind: 'Session', uid: 'uid-new', accountId: 'b' });
      expect(await adapter.findByUid('uid-old')).toBeUndefined();
      expect(await adapter.findByUid('uid-new')).toMatchObject({ accountId: 'b' });
      expect(await database.prisma.oidcPayload.count({ where: { model: 'Session', id: storedKeyFor('Session', id) } })).toBe(1);
    });

    it('keeps a row without expiresIn until it is destroyed', async () => {
      const adapter = new Adapter('Grant');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, kind: 'Grant', accountId: 'a', clientId: CLIENT.client_id });

      expect((await row('Grant', id))!.expiresAt).toBeNull();
      expect(await adapter.find(id)).toMatchObject({ accountId: 'a' });
    });

    it('stops returning a row once it expired, before any cleanup ran', async () => {
      const adapter = new Adapter('Interaction');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, kind: 'Interaction', returnTo: '/auth/x' }, 1);
      expect(await adapter.find(id)).toMatchObject({ returnTo: '/auth/x' });

      advanceClock(1_000); // expiresIn counts seconds
      expect(await adapter.find(id)).toBeUndefined();
      expect(await row('Interaction', id)).not.toBeNull();
    });

    it('applies expiry to the uid and user code lookups too', async () => {
      await payloads.upsert('Session', 's-expired', JSON.stringify({ uid: 'u-expired' }), { uid: 'u-expired', expiresAt: past() });
      await payloads.upsert('DeviceCode', 'd-expired', JSON.stringify({ userCode: 'EXPD-CODE' }), { userCode: 'EXPD-CODE', expiresAt: past() });

      expect(await payloads.find('Session', 's-expired')).toBeNull();
      expect(await new Adapter('Session').findByUid('u-expired')).toBeUndefined();
      expect(await payloads.findByUserCode('DeviceCode', 'EXPD-CODE')).toBeNull();
    });

    it('finds a Session by uid, within its own model only, without its id (stored only as a digest)', async () => {
      const session = new Adapter('Session');
      const id = randomUUID();
      const uid = randomUUID();
      const { jti: _id, ...payload }: AdapterPayload = { jti: id, uid, kind: 'Session', accountId: 'acct-1', loginTs: epoch(), exp: epoch() + 60 };
      await session.upsert(id, { jti: id, ...payload }, 60);

      expect(await session.findByUid(uid)).toEqual(payload);
      expect(await session.findByUid(randomUUID())).toBeUndefined();
      expect(await new Adapter('Interaction').findByUid(uid)).toBeUndefined();
    });

    it('refuses to find a DeviceCode by user code: the device flow would save it back without its id', async () => {
      const adapter = new Adapter('DeviceCode');
      const payload = tokenPayload('DeviceCode', { userCode: 'WDJB-MJHT', deviceInfo: { ip: '127.0.0.1' } });
      await adapter.upsert(payload.jti!, payload, 60);

      await expect(adapter.findByUserCode('WDJB-MJHT')).rejects.toThrow(/only as a digest/);
      expect(await adapter.find(payload.jti!)).toEqual(payload);
    });

    it('destroys one row, leaving the same id of another model alone', async () => {
      const id = randomUUID();
      await new Adapter('AccessToken').upsert(id, tokenPayload('AccessToken', { jti: id }), 60);
      await new Adapter('RefreshToken').upsert(id, tokenPayload('RefreshToken', { jti: id }), 60);

      await new Adapter('AccessToken').destroy(id);
      expect(await new Adapter('AccessToken').find(id)).toBeUndefined();
      expect(await row('AccessToken', id)).toBeNull();
      expect(await new Adapter('RefreshToken').find(id)).toMatchObject({ kind: 'RefreshToken' });
      // Destroying what is not there is not an error.
      await new Adapter('AccessToken').destroy(id);
    });
  });

  describe('bearer secrets at rest', () => {
    const BEARER = [
      'Session',
      'AccessToken',
      'AuthorizationCode',
      'RefreshToken',
      'ClientCredentials',
      'DeviceCode',
      'BackchannelAuthenticationRequest',
      'InitialAccessToken',
      'RegistrationAccessToken',
      'PushedAuthorizationRequest',
      'Interaction',
      'PreAuthorizedCode',
    ];

    it.each(BEARER)('keeps a %s under a digest of its id, with no copy of the id in its payload', async (model) => {
      const adapter = new Adapter(model);
      const id = randomUUID();
      const payload = tokenPayload(model, { jti: id });
      await adapter.upsert(id, payload, 60);

      expect(await rowByKey(model, id)).toBeNull();
      const stored = await rowByKey(model, storedKeyFor(model, id));
      expect(stored!.id).not.toContain(id);
      expect(stored!.payload).not.toContain(id);
      expect(await adapter.find(id)).toEqual(payload);
      // The stored key is not an id: presented as one, it finds nothing.
      expect(await adapter.find(stored!.id)).toBeUndefined();
      await adapter.consume(id);
      expect((await adapter.find(id))?.consumed).toBeTruthy();
      await adapter.destroy(id);
      expect(await rowByKey(model, storedKeyFor(model, id))).toBeNull();
    });

    it('keeps a Grant under its own id: grant ids are references, not credentials', async () => {
      const id = randomUUID();
      await new Adapter('Grant').upsert(id, { jti: id, kind: 'Grant', accountId: 'a', clientId: CLIENT.client_id }, 60);
      expect(storedKeyFor('Grant', id)).toBe(id);
      expect(JSON.parse((await rowByKey('Grant', id))!.payload)).toMatchObject({ jti: id });
    });

    it("stores an Interaction without the browser session's id or its own, and gives both back where oidc-provider reads them", async () => {
      const adapter = new Adapter('Interaction');
      const uid = randomUUID();
      const sessionId = randomUUID();
      const payload: AdapterPayload = {
        jti: uid,
        kind: 'Interaction',
        returnTo: `http://localhost:3999/auth/${uid}`,
        session: { accountId: 'acct-1', uid: 'session-uid', cookie: sessionId },
        params: { client_id: CLIENT.client_id },
      };
      await adapter.upsert(uid, payload, 60);

      const stored = (await row('Interaction', uid))!;
      expect(stored.id).not.toBe(uid);
      expect(stored.payload).not.toContain(uid);
      expect(stored.payload).not.toContain(sessionId);
      // oidc-provider writes session.cookie and never reads it back: it is not kept.
      expect(await adapter.find(uid)).toEqual({ ...payload, session: { accountId: 'acct-1', uid: 'session-uid' } });
    });
  });

  describe('consume', () => {
    it('marks a row consumed: find then returns it with a truthy `consumed` timestamp', async () => {
      const adapter = new Adapter('AuthorizationCode');
      const payload = tokenPayload('AuthorizationCode', { grantId: 'g', redirectUri: REDIRECT_URI });
      await adapter.upsert(payload.jti!, payload, 60);
      expect((await adapter.find(payload.jti!))?.consumed).toBeUndefined();

      const before = epoch();
      await adapter.consume(payload.jti!);
      const found = await adapter.find(payload.jti!);
      expect(found).toMatchObject(payload);
      expect(found!.consumed).toBeGreaterThanOrEqual(before);
      expect(found!.consumed).toBeLessThanOrEqual(epoch());
    });

    it('lets exactly one of 20 parallel consumers win (repository)', async () => {
      const id = randomUUID();
      await payloads.upsert('AuthorizationCode', id, JSON.stringify(tokenPayload('AuthorizationCode')), { expiresAt: future() });

      const results = await Promise.all(Array.from({ length: 20 }, () => payloads.consume('AuthorizationCode', id)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await payloads.consume('AuthorizationCode', id)).toBe(false);
      expect(await payloads.consume('AuthorizationCode', randomUUID())).toBe(false);
    });

    it('fails every parallel adapter consume but one, so only one redemption can issue tokens', async () => {
      const adapter = new Adapter('AuthorizationCode');
      const payload = tokenPayload('AuthorizationCode');
      await adapter.upsert(payload.jti!, payload, 60);

      const results = await Promise.allSettled(Array.from({ length: 20 }, () => adapter.consume(payload.jti!)));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(rejected).toHaveLength(19);
      for (const { reason } of rejected) expect(reason).toBeInstanceOf(errors.InvalidGrant);
      expect((await adapter.find(payload.jti!))?.consumed).toBeTruthy();
    });

    it('rejects a second use of a pushed authorization request as an invalid request_uri', async () => {
      const adapter = new Adapter('PushedAuthorizationRequest');
      const id = randomUUID();
      await adapter.upsert(id, { jti: id, kind: 'PushedAuthorizationRequest', request: 'eyJ...' }, 60);
      await adapter.consume(id);
      await expect(adapter.consume(id)).rejects.toBeInstanceOf(errors.InvalidRequestUri);
    });

    it('keeps a row consumed when it is saved again afterwards', async () => {
      const adapter = new Adapter('DeviceCode');
      const payload = tokenPayload('DeviceCode', { userCode: 'KEEP-USED' });
      await adapter.upsert(payload.jti!, payload, 60);
      await adapter.consume(payload.jti!);
      await adapter.upsert(payload.jti!, { ...payload, accountId: 'acct-2' }, 60);

      expect(await adapter.find(payload.jti!)).toMatchObject({ accountId: 'acct-2', consumed: expect.any(Number) });
    });
  });

  describe('batched finds and the grant read with its token', () => {
    async function tokenWithGrant() {
      const grantId = randomUUID();
      await new Adapter('Grant').upsert(grantId, { jti: grantId, kind: 'Grant', accountId: 'acct-1', clientId: CLIENT.client_id }, 60);
      const token = tokenPayload('AccessToken', { grantId });
      await new Adapter('AccessToken').upsert(token.jti!, token, 60);
      return { grantId, token };
    }

    it('answers finds started together, each with its own row (or none), expired rows excluded', async () => {
      const live = tokenPayload('RefreshToken');
      await new Adapter('RefreshToken').upsert(live.jti!, live, 60);
      const expired = tokenPayload('AccessToken');
      await new Adapter('AccessToken').upsert(expired.jti!, expired, 60);
      await database.prisma.oidcPayload.update({
        where: { model_id: { model: 'AccessToken', id: storedKeyFor('AccessToken', expired.jti!) } },
        data: { expiresAt: past() },
      });

      const found = await Promise.all([
        new Adapter('AccessToken').find(live.jti!), // another model's id
        new Adapter('RefreshToken').find(live.jti!),
        new Adapter('AccessToken').find(expired.jti!),
        new Adapter('ClientCredentials').find(randomUUID()),
      ]);
      expect(found).toEqual([undefined, live, undefined, undefined]);
    });

    it("hands out the token's grant without reading it again, as it was when the token was read", async () => {
      const { grantId, token } = await tokenWithGrant();
      expect(await new Adapter('AccessToken').find(token.jti!)).toEqual(token);
      // Changed behind the repository's back (as another instance would): the grant read with the
      // token is what the request that read the token gets, once; the next find reads the table.
      await database.prisma.oidcPayload.update({
        where: { model_id: { model: 'Grant', id: grantId } },
        data: { payload: JSON.stringify({ jti: grantId, kind: 'Grant', accountId: 'acct-2' }) },
      });
      expect(await new Adapter('Grant').find(grantId)).toMatchObject({ accountId: 'acct-1' });
      expect(await new Adapter('Grant').find(grantId)).toMatchObject({ accountId: 'acct-2' });
    });

    it('never hands out a grant this instance destroyed or changed after reading it with a token', async () => {
      const first = await tokenWithGrant();
      await new Adapter('AccessToken').find(first.token.jti!);
      await new Adapter('Grant').destroy(first.grantId);
      expect(await new Adapter('Grant').find(first.grantId)).toBeUndefined();

      const second = await tokenWithGrant();
      await new Adapter('AccessToken').find(second.token.jti!);
      await new Adapter('Grant').upsert(second.grantId, { jti: second.grantId, kind: 'Grant', accountId: 'acct-3' }, 60);
      expect(await new Adapter('Grant').find(second.grantId)).toMatchObject({ accountId: 'acct-3' });
    });

    it('does not hand out a grant read with a token after a second', async () => {
      const { grantId, token } = await tokenWithGrant();
      await new Adapter('AccessToken').find(token.jti!);
      await database.prisma.oidcPayload.deleteMany({ where: { model: 'Grant', id: grantId } });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await new Adapter('Grant').find(grantId)).toBeUndefined();
    });
  });

  describe('the session read with its interaction', () => {
    async function interactionWithSession(name: string) {
      const uid = randomUUID();
      const sessionId = randomUUID();
      await new Adapter('Session').upsert(sessionId, { jti: sessionId, kind: 'Session', uid, accountId: name }, 60);
      const interactionId = randomUUID();
      await new Adapter('Interaction').upsert(interactionId, { jti: interactionId, kind: 'Interaction', session: { uid, cookie: sessionId } }, 60);
      return { uid, sessionId, interactionId };
    }

    it('hands out the session the interaction names when the provider asks for it by uid, once', async () => {
      const { uid, interactionId } = await interactionWithSession('acct-1');
      await new Adapter('Interaction').find(interactionId);
      // Changed behind the repository's back: the first lookup gets what was read with the interaction.
      await database.prisma.oidcPayload.updateMany({
        where: { model: 'Session', uid },
        data: { payload: JSON.stringify({ kind: 'Session', uid, accountId: 'acct-2' }) },
      });
      expect(await new Adapter('Session').findByUid(uid)).toMatchObject({ uid, accountId: 'acct-1' });
      expect(await new Adapter('Session').findByUid(uid)).toMatchObject({ uid, accountId: 'acct-2' });
    });

    it('never hands out a session this instance destroyed or saved after reading it with an interaction', async () => {
      const first = await interactionWithSession('acct-1');
      await new Adapter('Interaction').find(first.interactionId);
      await new Adapter('Session').destroy(first.sessionId);
      expect(await new Adapter('Session').findByUid(first.uid)).toBeUndefined();

      const second = await interactionWithSession('acct-1');
      await new Adapter('Interaction').find(second.interactionId);
      await new Adapter('Session').upsert(second.sessionId, { jti: second.sessionId, kind: 'Session', uid: second.uid, accountId: 'acct-3' }, 60);
      expect(await new Adapter('Session').findByUid(second.uid)).toMatchObject({ accountId: 'acct-3' });
    });
  });

  describe('the interactions read with their session', () => {
    /** A signed-in session, one interaction of it under way that ends with a consent to a grant. */
    async function sessionWithConsent() {
      const uid = randomUUID();
      const sessionId = randomUUID();
      await new Adapter('Session').upsert(sessionId, { jti: sessionId, kind: 'Session', uid, accountId: 'acct-1' }, 60);
      const grantId = randomUUID();
      await new Adapter('Grant').upsert(grantId, { jti: grantId, kind: 'Grant', accountId: 'acct-1', clientId: CLIENT.client_id }, 60);
      const interactionId = randomUUID();
      const interaction = { jti: interactionId, kind: 'Interaction', session: { uid, cookie: sessionId }, result: { consent: { grantId } } };
      await new Adapter('Interaction').upsert(interactionId, interaction, 60);
      return { uid, sessionId, grantId, interactionId };
    }

    it("hands out the session's interaction and that one's grant without reading them again (a resumed authorization)", async () => {
      const { sessionId, grantId, interactionId } = await sessionWithConsent();
      await new Adapter('Session').find(sessionId);
      // Changed behind the repository's back: the finds that follow get what the session's read brought.
      await database.prisma.oidcPayload.update({
        where: { model_id: { model: 'Grant', id: grantId } },
        data: { payload: JSON.stringify({ jti: grantId, kind: 'Grant', accountId: 'acct-2' }) },
      });
      await database.prisma.oidcPayload.updateMany({
        where: { model: 'Interaction', uid: { not: null }, grantId },
        data: { payload: '{"kind":"Interaction","changed":true}' },
      });
      expect(await new Adapter('Interaction').find(interactionId)).toMatchObject({ result: { consent: { grantId } } });
      expect(await new Adapter('Grant').find(grantId)).toMatchObject({ accountId: 'acct-1' });
      // Handed out once: the next finds read the table.
      expect(await new Adapter('Interaction').find(interactionId)).toMatchObject({ changed: true });
      expect(await new Adapter('Grant').find(grantId)).toMatchObject({ accountId: 'acct-2' });
    });

    it('brings no interaction of another session, nor one that expired', async () => {
      const mine = await sessionWithConsent();
      const theirs = await sessionWithConsent();
      await database.prisma.oidcPayload.updateMany({ where: { model: 'Interaction', grantId: mine.grantId }, data: { expiresAt: past() } });
      await new Adapter('Session').find(mine.sessionId);
      await database.prisma.oidcPayload.updateMany({
        where: { model: 'Interaction', grantId: theirs.grantId },
        data: { payload: '{"kind":"Interaction","changed":true}' },
      });
      expect(await new Adapter('Interaction').find(mine.interactionId)).toBeUndefined();
      expect(await new Adapter('Interaction').find(theirs.interactionId)).toMatchObject({ changed: true });
    });
  });

  describe('writes held for a request (holdingWrites)', () => {
    const token = (key: string) => payloads.upsert('AccessToken', key, '{"kind":"AccessToken"}', { expiresAt: future() });

    it('stores the saves and removals of a request when it ends, not before', async () => {
      await token('held-removed');
      await payloads.holdingWrites(async () => {
        await token('held-saved');
        await payloads.destroy('AccessToken', 'held-removed');
        expect(await rowByKey('AccessToken', 'held-saved')).toBeNull();
        expect(await rowByKey('AccessToken', 'held-removed')).not.toBeNull();
      });
      expect(await payloads.find('AccessToken', 'held-saved')).toMatchObject({ payload: '{"kind":"AccessToken"}' });
      expect(await payloads.find('AccessToken', 'held-removed')).toBeNull();
    });

    it('stores what is held before a find of it, a consume or a revocation in the same request', async () => {
      const grantId = randomUUID();
      await payloads.holdingWrites(async () => {
        await payloads.upsert('AuthorizationCode', 'held-code', '{}', { grantId, expiresAt: future() });
        expect(await payloads.find('AuthorizationCode', 'held-code')).toMatchObject({ payload: '{}', consumedAt: null });
        await payloads.upsert('RefreshToken', 'held-refresh', '{}', { grantId, expiresAt: future() });
        expect(await payloads.consume('AuthorizationCode', 'held-code')).toBe(true);
        await payloads.upsert('AccessToken', 'held-access', '{}', { grantId, expiresAt: future() });
        expect(await payloads.revokeByGrantId(grantId)).toBe(3);
      });
      expect(await database.prisma.oidcPayload.count({ where: { grantId } })).toBe(0);
    });

    it('stores a removed row dead: no read finds it, the sweeper deletes it, a later save starts it anew', async () => {
      await token('tombstoned');
      expect(await payloads.consume('AccessToken', 'tombstoned')).toBe(true);
      await payloads.holdingWrites(() => payloads.destroy('AccessToken', 'tombstoned'));
      const dead = await rowByKey('AccessToken', 'tombstoned');
      expect(dead).toMatchObject({ payload: '{}', grantId: null, uid: null });
      expect(dead!.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(await payloads.find('AccessToken', 'tombstoned')).toBeNull();

      const before = new Date();
      await token('tombstoned');
      expect(await payloads.find('AccessToken', 'tombstoned')).toMatchObject({ consumedAt: null });
      expect((await rowByKey('AccessToken', 'tombstoned'))!.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);

      await payloads.holdingWrites(() => payloads.destroy('AccessToken', 'tombstoned'));
      await payloads.deleteExpired();
      expect(await rowByKey('AccessToken', 'tombstoned')).toBeNull();
    });

    it('starts a new row when saving over an expired one (its use and age are not carried over)', async () => {
      await token('expired-and-used');
      await payloads.consume('AccessToken', 'expired-and-used');
      await database.prisma.oidcPayload.update({
        where: { model_id: { model: 'AccessToken', id: 'expired-and-used' } },
        data: { expiresAt: past(), createdAt: past() },
      });
      await token('expired-and-used');
      const row = await rowByKey('AccessToken', 'expired-and-used');
      expect(row?.consumedAt).toBeNull();
      expect(row!.createdAt.getTime()).toBeGreaterThan(past().getTime());
    });

    it('stores all of a request or none of it: a row the database refuses fails the request and takes the rest with it', async () => {
      const refuse =
        provider === 'sqlite'
          ? [`CREATE TRIGGER refuse_row BEFORE INSERT ON "oidc_payload" WHEN NEW."model" = 'Refused' BEGIN SELECT RAISE(ABORT, 'refused'); END`]
          : [
              `CREATE FUNCTION refuse_row() RETURNS trigger AS $$ BEGIN IF NEW."model" = 'Refused' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
              `CREATE TRIGGER refuse_row BEFORE INSERT ON "oidc_payload" FOR EACH ROW EXECUTE FUNCTION refuse_row()`,
            ];
      for (const statement of refuse) await database.prisma.$executeRawUnsafe(statement);
      try {
        await token('kept-when-refused');
        await expect(
          payloads.holdingWrites(async () => {
            await token('never-stored');
            await payloads.destroy('AccessToken', 'kept-when-refused');
            await payloads.upsert('Refused', 'row', '{}');
          }),
        ).rejects.toThrow(/refused/);
        expect(await rowByKey('AccessToken', 'never-stored')).toBeNull();
        expect(await payloads.find('AccessToken', 'kept-when-refused')).not.toBeNull();
      } finally {
        await database.prisma.$executeRawUnsafe('DROP TRIGGER refuse_row' + (provider === 'sqlite' ? '' : ' ON "oidc_payload"'));
        if (provider === 'postgresql') await database.prisma.$executeRawUnsafe('DROP FUNCTION refuse_row()');
      }
    });
  });

  describe('revokeByGrantId', () => {
    it('removes every token issued under the grant, and nothing of another grant', async () => {
      const grantId = randomUUID();
      const otherGrantId = randomUUID();
      const issued = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];
      const ids = new Map<string, string>();
      for (const model of issued) {
        const payload = tokenPayload(model, { grantId });
        ids.set(model, payload.jti!);
        await new Adapter(model).upsert(payload.jti!, payload, 60);
      }
      const other = ['AccessToken', 'RefreshToken', 'AuthorizationCode'].map((model) => ({ model, ...tokenPayload(model, { grantId: otherGrantId }) }));
      for (const { model, ...payload } of other) await new Adapter(model).upsert(payload.jti!, payload, 60);
      // oidc-provider destroys the Grant itself when its revokeGrantPolicy says so (it keeps the
      // grant when only an access token is revoked); an Interaction merely points at the grant.
      await new Adapter('Grant').upsert(grantId, { jti: grantId, kind: 'Grant', accountId: 'acct-1', clientId: CLIENT.client_id }, 60);
      const interactionId = randomUUID();
      await new Adapter('Interaction').upsert(interactionId, { jti: interactionId, kind: 'Interaction', grantId }, 60);

      await new Adapter('AccessToken').revokeByGrantId(grantId);

      for (const model of issued) expect(await new Adapter(model).find(ids.get(model)!), model).toBeUndefined();
      expect(await database.prisma.oidcPayload.count({ where: { grantId, model: { not: 'Interaction' } } })).toBe(0);
      for (const { model, jti } of other) expect(await new Adapter(model).find(jti!), model).toMatchObject({ grantId: otherGrantId });
      expect(await new Adapter('Grant').find(grantId)).toMatchObject({ jti: grantId });
      expect(await new Adapter('Interaction').find(interactionId)).toMatchObject({ grantId });
    });

    it('deletes across models in one call and reports how many rows went', async () => {
      const grantId = randomUUID();
      await payloads.upsert('AccessToken', 'at', '{}', { grantId, expiresAt: future() });
      await payloads.upsert('RefreshToken', 'rt', '{}', { grantId, expiresAt: future() });
      await payloads.upsert('AuthorizationCode', 'ac', '{}', { grantId, expiresAt: future() });

      expect(await payloads.revokeByGrantId(grantId)).toBe(3);
      expect(await payloads.revokeByGrantId(grantId)).toBe(0);
    });
  });

  describe('Client model', () => {
    it('reads clients from the client source, never from the payload table', async () => {
      const adapter = new Adapter('Client');
      expect(await adapter.find(CLIENT.client_id)).toEqual(CLIENT);
      expect(await adapter.find('unknown')).toBeUndefined();
      expect(await database.prisma.oidcPayload.count({ where: { model: 'Client' } })).toBe(0);
    });

    it('writes through the client service (dynamic registration), never to the payload table', async () => {
      const adapter = new Adapter('Client');
      await adapter.upsert('x', { client_id: 'x', client_name: 'Registered' }, 60);
      expect(saved.at(-1)).toEqual({ id: 'x', metadata: { client_id: 'x', client_name: 'Registered' } });
      await adapter.destroy(CLIENT.client_id);
      expect(deleted.at(-1)).toBe(CLIENT.client_id);
      // Deleting a client that is already gone is not an error (oidc-provider deletes idempotently).
      await adapter.destroy('unknown');
      expect(await database.prisma.oidcPayload.count({ where: { model: 'Client' } })).toBe(0);
    });

    it("refuses what the client service's rules refuse as invalid_client_metadata with their message", async () => {
      const adapter = new Adapter('Client');
      const refused = await adapter.upsert('y', { client_id: 'y', client_name: 'bad' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(errors.InvalidClientMetadata);
      expect(refused).toMatchObject({ error: 'invalid_client_metadata', error_description: 'name is not allowed here' });
      await expect(adapter.consume('y')).rejects.toThrow(/not supported/);
    });
  });

  describe('through oidc-provider models', () => {
    let oidc: Provider;

    beforeAll(async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      oidc = new Provider('http://localhost:3999', {
        adapter: Adapter,
        clients: [],
        jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] },
        cookies: { keys: ['adapter-test-cookie-key'] },
        features: { devInteractions: { enabled: false } },
        ttl: { Grant: 600 },
      });
    });

    it('loads the client, stores a grant and a code, consumes the code once and revokes by grant', async () => {
      const client = await oidc.Client.find(CLIENT.client_id);
      if (!client) throw new Error('client not loaded through the adapter');
      expect(client.redirectUris).toEqual(CLIENT.redirect_uris);

      const grant = new oidc.Grant({ accountId: 'acct-1', clientId: CLIENT.client_id });
      grant.addOIDCScope('openid');
      const grantId = await grant.save();

      const code = new oidc.AuthorizationCode({
        accountId: 'acct-1',
        client,
        grantId,
        gty: 'authorization_code',
        redirectUri: REDIRECT_URI,
        scope: 'openid',
        codeChallenge: 'x'.repeat(43),
        codeChallengeMethod: 'S256',
      });
      const value = await code.save();

      const first = await oidc.AuthorizationCode.find(value);
      const second = await oidc.AuthorizationCode.find(value);
      expect(first?.isValid).toBe(true);
      await first!.consume();
      // A redemption that read the code before the first consumed it must still lose.
      await expect(second!.consume()).rejects.toBeInstanceOf(errors.InvalidGrant);
      // isValid is false once oidc-provider sees the `consumed` the adapter reports.
      expect((await oidc.AuthorizationCode.find(value))?.isValid).toBe(false);

      await oidc.AccessToken.revokeByGrantId(grantId);
      expect(await oidc.AuthorizationCode.find(value)).toBeUndefined();
      expect(await oidc.Grant.find(grantId)).toBeDefined();
    });
  });

  describe('cleanup', () => {
    it('deletes expired rows in batches of at most `limit`', async () => {
      await payloads.deleteExpired();
      for (let i = 0; i < 5; i++) await payloads.upsert('ReplayDetection', `old-${i}`, '{}', { expiresAt: past() });
      await payloads.upsert('ReplayDetection', 'fresh', '{}', { expiresAt: future() });

      expect(await payloads.deleteExpired(new Date(), 2)).toBe(2);
      expect(await payloads.deleteExpired(new Date(), 2)).toBe(2);
      expect(await payloads.deleteExpired(new Date(), 2)).toBe(1);
      expect(await payloads.deleteExpired(new Date(), 2)).toBe(0);
      expect(await rowByKey('ReplayDetection', 'fresh')).not.toBeNull();
      await expect(payloads.deleteExpired(new Date(), 0)).rejects.toThrow(RangeError);
    });

    it('the sweeper removes expired rows in batches, keeps live ones and never overlaps runs', async () => {
      const expired = Array.from({ length: 7 }, (_, i) => `sweep-old-${i}`);
      for (const id of expired) await payloads.upsert('Session', id, '{}', { expiresAt: past() });
      await payloads.upsert('Session', 'sweep-live', '{}', { expiresAt: future() });
      await payloads.upsert('Grant', 'sweep-forever', '{}', {});
      // Records each batch (a run passes the same `now` to all of its batches) and overlap.
      const batches: { now: number; deleted: number }[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      const recording = {
        async deleteExpired(now?: Date, limit?: number) {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          try {
            const deleted = await payloads.deleteExpired(now, limit);
            batches.push({ now: now!.getTime(), deleted });
            return deleted;
          } finally {
            inFlight--;
          }
        },
      };

      const sweeper = startPayloadSweeper({ payloads: recording, intervalMs: 10, batchSize: 3 });
      try {
        await waitFor(async () => (await database.prisma.oidcPayload.count({ where: { id: { in: expired } } })) === 0);
      } finally {
        await sweeper.stop();
      }
      expect(await rowByKey('Session', 'sweep-live')).not.toBeNull();
      expect(await rowByKey('Grant', 'sweep-forever')).not.toBeNull();
      // The first run drained everything: full batches of 3 until a short one.
      const firstRun = batches.filter((b) => b.now === batches[0]!.now).map((b) => b.deleted);
      expect(firstRun.slice(0, 2)).toEqual([3, 3]);
      expect(firstRun.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7);
      expect(maxInFlight).toBe(1);
    });

    it('the sweeper reports a failed run and carries on with the next', async () => {
      await payloads.upsert('Session', 'after-failure', '{}', { expiresAt: past() });
      const failures: unknown[] = [];
      let calls = 0;
      const flaky = {
        deleteExpired: (now?: Date, limit?: number) => (++calls === 1 ? Promise.reject(new Error('database away')) : payloads.deleteExpired(now, limit)),
      };

      const sweeper = startPayloadSweeper({ payloads: flaky, intervalMs: 10, log: (_msg, err) => failures.push(err) });
      try {
        await waitFor(async () => (await rowByKey('Session', 'after-failure')) === null);
      } finally {
        await sweeper.stop();
      }
      expect(failures).toHaveLength(1);
      expect((failures[0] as Error).message).toBe('database away');
    });

    it('the sweeper never overlaps a slow run, and stop() waits for it', async () => {
      // Timers on a fake clock the test moves on; each run lasts until the test finishes it.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let calls = 0;
      let finish = () => {};
      const slow = {
        deleteExpired: () => {
          calls++;
          return new Promise<number>((resolve) => (finish = () => resolve(0)));
        },
      };
      // The interval is far shorter than a run: a timer that ignored the run would start more.
      const sweeper = startPayloadSweeper({ payloads: slow, intervalMs: 5 });
      await vi.advanceTimersByTimeAsync(5);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(100);
      expect(calls).toBe(1);
      // The next run starts an interval after this one finished.
      finish();
      await vi.advanceTimersByTimeAsync(5);
      expect(calls).toBe(2);

      let stopped = false;
      const stopping = sweeper.stop().then(() => (stopped = true));
      await vi.advanceTimersByTimeAsync(100);
      expect(stopped).toBe(false); // waits for the run in progress
      finish();
      await stopping;
      await vi.advanceTimersByTimeAsync(100);
      expect(calls).toBe(2); // and none starts after it
    });
  });
});
