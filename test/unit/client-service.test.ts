// The client service over its real repository on a SQLite file, with a real SecretBox: what
// create stores and returns (the secret once, sealed at rest), updates, secret rotation, deletion,
// dynamic registration's checks and storage, what the provider is given, the console's own client,
// re-sealing under a new KEY_ENCRYPTION_SECRET, and the one audit record each change leaves, by
// whoever the caller names, with no secret in it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditRepository } from '../../src/db/audit-repository.js';
import { createClientRepository, type ClientRepository } from '../../src/db/client-repository.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import type { By } from '../../src/domain/audit/actions.js';
import { createAuditService, type AuditEvent, type AuditService } from '../../src/domain/audit/audit-service.js';
import { buildClientMetadata } from '../../src/domain/clients/client-metadata.js';
import { createClientService, type ClientService } from '../../src/domain/clients/client-service.js';
import { CONSOLE_CLIENT_ID } from '../../src/domain/clients/reserved.js';
import type { ClientChanges, ClientRegistration } from '../../src/domain/clients/schema.js';
import { SecretBox } from '../../src/domain/crypto/secret-box.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { Logger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const ISSUER = 'https://id.example.com';
const POLICY = { signingAlgs: ['RS256', 'ES256'], issuer: ISSUER };
const KEY_SECRET = 'current-key-encryption-secret-0123456789';
const OLD_KEY_SECRET = 'older-key-encryption-secret-9876543210';
const ADMIN: By = { actor: 'user:admin-sub', sourceAddress: '203.0.113.7' };
const CLI: By = { actor: 'cli:operator' };
const CALLBACK = 'https://notes.example.com/cb';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, infoUnredacted() {} };

describe('client service', () => {
  let testDb: TestDatabase;
  let db: Database;
  let repo: ClientRepository;
  let audit: AuditService;
  let box: SecretBox;
  let clients: ClientService;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    db = await openDatabase(testDb.config);
    repo = createClientRepository(db.prisma);
    audit = createAuditService(createAuditRepository(db.prisma, db.sql), quiet);
    box = new SecretBox([KEY_SECRET]);
    clients = createClientService(repo, box, POLICY, audit);
  });
  afterEach(async () => {
    await db.prisma.client.deleteMany();
    await db.prisma.auditEvent.deleteMany();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const events = async (): Promise<AuditEvent[]> => (await audit.list({ limit: 500 })).events;
  /** The audit table as stored, every column, for looking for what must never be there. */
  const auditRows = async (): Promise<string> => JSON.stringify(await db.prisma.auditEvent.findMany());
  const row = async (id: string) => (await repo.findById(id))!;
  const openSecret = async (id: string, secretBox = box) => secretBox.open((await row(id)).secretEncrypted!, `client-secret:${id}`);
  const notes = (extra: Partial<ClientRegistration> = {}): ClientRegistration => ({ client_name: 'Notes', redirect_uris: [CALLBACK], ...extra });
  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  describe('create', () => {
    it('makes a confidential code + refresh client with the default scopes, returns its secret once and keeps it sealed', async () => {
      const created = await clients.create(notes(), ADMIN);
      expect(created).toEqual({
        client_id: expect.stringMatching(/^[\w-]{24}$/),
        client_secret: expect.stringMatching(/^[\w-]{43}$/),
        has_secret: true,
        created_at: expect.any(String),
        client_name: 'Notes',
        application_type: 'web',
        redirect_uris: [CALLBACK],
        post_logout_redirect_uris: [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid profile email offline_access',
        require_pkce: true,
        rotate_refresh_tokens: false,
        require_mfa: false,
      });
      const { client_id: id, client_secret: secret } = created;
      const stored = await row(id);
      expect(stored.secretEncrypted).not.toBe(secret);
      expect(stored.secretEncrypted).not.toContain(secret!);
      expect(await openSecret(id)).toBe(secret);
      // Read back, it only says that a secret exists.
      const { client_secret: _once, ...view } = created;
      expect(await clients.get(id)).toEqual(view);
      expect(await clients.list()).toEqual([view]);

      expect(await events()).toEqual([
        {
          id: expect.any(String),
          at: expect.any(String),
          actor: 'user:admin-sub',
          action: 'client.created',
          target: `client:${id}`,
          source_address: '203.0.113.7',
          details: {
            client_name: 'Notes',
            public: false,
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid profile email offline_access',
            redirect_uris: [CALLBACK],
            resource_server: false,
          },
        },
      ]);
      expect(await auditRows()).not.toContain(secret);
    });

    it('makes a public client (token_endpoint_auth_method none) without a secret, native for a private-use scheme', async () => {
      const web = await clients.create(notes({ client_name: 'SPA', token_endpoint_auth_method: 'none' }), CLI);
      expect(web).not.toHaveProperty('client_secret');
      expect(web).toMatchObject({ has_secret: false, token_endpoint_auth_method: 'none', application_type: 'web' });
      expect((await row(web.client_id)).secretEncrypted).toBeNull();
      const phone = await clients.create({ client_name: 'Phone', token_endpoint_auth_method: 'none', redirect_uris: ['com.example.phone:/cb'] }, CLI);
      expect(phone).toMatchObject({ has_secret: false, application_type: 'native' });
      expect(await events()).toEqual([
        expect.objectContaining({ actor: 'cli:operator', action: 'client.created', details: expect.objectContaining({ public: true }) }),
        expect.objectContaining({ actor: 'cli:operator', action: 'client.created', details: expect.objectContaining({ public: true }) }),
      ]);
    });

    const refusals: [string, unknown, string][] = [
      ['an unknown field, by its name', { client_name: 'Notes', name: 'Notes', redirect_uris: [CALLBACK] }, 'name'],
      ['no name', { redirect_uris: [CALLBACK] }, 'client_name'],
      ["the console's name", notes({ client_name: 'SESAME  console' }), 'client_name'],
      ["a redirect URI on Sesame's own origin", notes({ redirect_uris: [`${ISSUER}/cb`] }), 'redirect_uris'],
      ['plain http', notes({ redirect_uris: ['http://notes.example.com/cb'] }), 'redirect_uris'],
      ['a public client with client_credentials', { client_name: 'M', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'grant_types'],
      ['an algorithm SIGNING_ALGS does not have', notes({ id_token_signed_response_alg: 'PS512' }), 'id_token_signed_response_alg'],
    ];
    it.each(refusals)('refuses %s with a ValidationError naming the field, storing and recording nothing', async (_what, input, field) => {
      const refused = await error(clients.create(input as ClientRegistration, ADMIN));
      expect(refused).toBeInstanceOf(ValidationError);
      expect(refused).toMatchObject({ field });
      expect(await clients.list()).toEqual([]);
      expect(await events()).toEqual([]);
    });
  });

  describe('update', () => {
    const full = () =>
      notes({
        post_logout_redirect_uris: ['https://notes.example.com/bye'],
        backchannel_logout_uri: 'https://notes.example.com/logout',
        logo_uri: 'https://notes.example.com/logo.png',
        scope: 'openid email',
      });

    it('changes the fields given, keeps the absent ones and the secret, and records which changed', async () => {
      const { client_id: id, client_secret: secret, ...before } = await clients.create(full());
      const sealed = (await row(id)).secretEncrypted;
      await db.prisma.auditEvent.deleteMany();

      const updated = await clients.update(id, { client_name: 'Notes 2' }, ADMIN);
      const { client_name: _old, ...unchanged } = before;
      expect(updated).toEqual({ ...unchanged, client_id: id, client_name: 'Notes 2' });
      expect(updated).not.toHaveProperty('client_secret');
      expect((await row(id)).secretEncrypted).toBe(sealed);
      expect(await openSecret(id)).toBe(secret);
      expect(await events()).toEqual([
        expect.objectContaining({
          actor: 'user:admin-sub',
          source_address: '203.0.113.7',
          action: 'client.updated',
          target: `client:${id}`,
          details: expect.objectContaining({ changed: ['client_name'], client_name: 'Notes 2', public: false, scope: 'openid email' }),
        }),
      ]);
      expect(await auditRows()).not.toContain(secret);
    });

    it('removes a field given as null', async () => {
      const { client_id: id } = await clients.create(full());
      await db.prisma.auditEvent.deleteMany();
      const updated = await clients.update(id, { logo_uri: null, backchannel_logout_uri: null, post_logout_redirect_uris: null, scope: null }, CLI);
      expect(updated).not.toHaveProperty('logo_uri');
      expect(updated).not.toHaveProperty('backchannel_logout_uri');
      // Its session setting applies only with it, and goes with it.
      expect(updated).not.toHaveProperty('backchannel_logout_session_required');
      expect(updated.post_logout_redirect_uris).toEqual([]);
      // No scope at all brings back the default scopes.
      expect(updated.scope).toBe('openid profile email offline_access');
      expect(updated.redirect_uris).toEqual([CALLBACK]);
      expect(await events()).toEqual([
        expect.objectContaining({
          actor: 'cli:operator',
          details: expect.objectContaining({
            changed: ['backchannel_logout_session_required', 'backchannel_logout_uri', 'logo_uri', 'post_logout_redirect_uris', 'scope'],
          }),
        }),
      ]);
    });

    it('derives response_types and application_type again from the new grants and redirect URIs', async () => {
      const { client_id: machine } = await clients.create(notes());
      const changed = await clients.update(machine, { grant_types: ['client_credentials'], redirect_uris: null });
      expect(changed).toMatchObject({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] });

      const { client_id: phone } = await clients.create({ client_name: 'Phone', token_endpoint_auth_method: 'none', redirect_uris: ['com.example.phone:/cb'] });
      expect((await clients.get(phone)).application_type).toBe('native');
      expect((await clients.update(phone, { redirect_uris: ['https://phone.example.com/cb'] })).application_type).toBe('web');
      expect((await clients.update(phone, { redirect_uris: ['com.example.phone:/cb'] })).application_type).toBe('native');
    });

    it('refuses to turn a confidential client public or a public one confidential, with a ConflictError', async () => {
      const { client_id: confidential } = await clients.create(notes());
      const { client_id: spa } = await clients.create(notes({ client_name: 'SPA', token_endpoint_auth_method: 'none' }));
      await db.prisma.auditEvent.deleteMany();

      const toPublic = await error(clients.update(confidential, { token_endpoint_auth_method: 'none' }, ADMIN));
      expect(toPublic).toBeInstanceOf(ConflictError);
      expect((toPublic as Error).message).toBe(`client ${confidential} is confidential and cannot become public; register a new client instead`);
      const toConfidential = await error(clients.update(spa, { token_endpoint_auth_method: 'client_secret_basic' }, ADMIN));
      expect(toConfidential).toBeInstanceOf(ConflictError);
      expect((toConfidential as Error).message).toMatch(/is public and cannot become confidential/);
      expect(await events()).toEqual([]);

      // Naming the method it has, or removing it, changes nothing about it.
      expect((await clients.update(confidential, { token_endpoint_auth_method: 'client_secret_basic' })).token_endpoint_auth_method).toBe(
        'client_secret_basic',
      );
      expect((await clients.update(confidential, { token_endpoint_auth_method: null })).has_secret).toBe(true);
      expect((await clients.update(spa, { token_endpoint_auth_method: null })).token_endpoint_auth_method).toBe('none');
    });

    it('refuses a bad value, an unknown field, an unknown client and the console, changing and recording nothing', async () => {
      const { client_id: id, ...before } = await clients.create(notes());
      const { client_secret: _secret, ...view } = before;
      await db.prisma.auditEvent.deleteMany();
      await expect(clients.update(id, { redirect_uris: ['http://notes.example.com/cb'] })).rejects.toMatchObject({
        name: 'ValidationError',
        field: 'redirect_uris',
      });
      await expect(clients.update(id, { name: 'Other' } as ClientChanges)).rejects.toMatchObject({ name: 'ValidationError', field: 'name' });
      await expect(clients.update(id, { client_name: 'Sesame Console' })).rejects.toMatchObject({ name: 'ValidationError', field: 'client_name' });
      await expect(clients.update('no-such-client', { client_name: 'X' })).rejects.toBeInstanceOf(NotFoundError);
      await clients.ensureConsole();
      await db.prisma.auditEvent.deleteMany();
      await expect(clients.update(CONSOLE_CLIENT_ID, { client_name: 'Mine' })).rejects.toBeInstanceOf(ConflictError);
      expect(await clients.get(id)).toEqual({ client_id: id, ...view });
      expect(await events()).toEqual([]);
    });
  });

  describe('rotateSecret', () => {
    it('issues a new secret, seals it, makes the old one stop opening, and records it without either secret', async () => {
      const { client_id: id, client_secret: old } = await clients.create(notes());
      await db.prisma.auditEvent.deleteMany();
      const rotated = await clients.rotateSecret(id, ADMIN);
      expect(rotated.client_secret).toMatch(/^[\w-]{43}$/);
      expect(rotated.client_secret).not.toBe(old);
      expect(rotated).toMatchObject({ client_id: id, has_secret: true, client_name: 'Notes' });
      expect(await openSecret(id)).toBe(rotated.client_secret);
      expect((await clients.findForProvider(id))!.client_secret).toBe(rotated.client_secret);
      expect(await events()).toEqual([
        expect.objectContaining({ actor: 'user:admin-sub', action: 'client.secret_rotated', target: `client:${id}`, details: { client_name: 'Notes' } }),
      ]);
      const rows = await auditRows();
      expect(rows).not.toContain(old);
      expect(rows).not.toContain(rotated.client_secret);
    });

    it('refuses a public client (ConflictError) and an unknown one (NotFoundError)', async () => {
      const { client_id: spa } = await clients.create(notes({ token_endpoint_auth_method: 'none' }));
      await db.prisma.auditEvent.deleteMany();
      await expect(clients.rotateSecret(spa, ADMIN)).rejects.toThrow(new ConflictError(`client ${spa} is public and has no secret`));
      expect((await row(spa)).secretEncrypted).toBeNull();
      await expect(clients.rotateSecret('no-such-client', ADMIN)).rejects.toBeInstanceOf(NotFoundError);
      expect(await events()).toEqual([]);
    });
  });

  describe('delete', () => {
    it('removes the client and records what it was', async () => {
      const { client_id: id } = await clients.create(notes({ scope: 'openid' }));
      const { client_id: kept } = await clients.create(notes({ client_name: 'Kept' }));
      await db.prisma.auditEvent.deleteMany();
      await clients.delete(id, CLI);
      await expect(clients.get(id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await clients.findForProvider(id)).toBeUndefined();
      expect((await clients.list()).map((c) => c.client_id)).toEqual([kept]);
      expect(await events()).toEqual([
        expect.objectContaining({
          actor: 'cli:operator',
          action: 'client.deleted',
          target: `client:${id}`,
          details: {
            client_name: 'Notes',
            public: false,
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid',
            redirect_uris: [CALLBACK],
            resource_server: false,
          },
        }),
      ]);
      await expect(clients.delete(id, CLI)).rejects.toBeInstanceOf(NotFoundError);
      await clients.ensureConsole();
      await expect(clients.delete(CONSOLE_CLIENT_ID, CLI)).rejects.toBeInstanceOf(ConflictError);
      expect(await repo.findById(CONSOLE_CLIENT_ID)).not.toBeNull();
      expect((await events()).filter((e) => e.action === 'client.deleted')).toHaveLength(1);
    });
  });

  describe('dynamic registration', () => {
    const request = (extra: Record<string, unknown> = {}) => ({ client_name: 'Registered', redirect_uris: ['https://reg.example.com/cb'], ...extra });

    it('validateRegistration gives the metadata to register, checked by the shared rules, without the issued fields', () => {
      expect(clients.validateRegistration(request({ client_id: 'x', client_secret: 'y', client_id_issued_at: 1, logo_uri: null }))).toEqual({
        client_name: 'Registered',
        application_type: 'web',
        redirect_uris: ['https://reg.example.com/cb'],
        post_logout_redirect_uris: [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid profile email offline_access',
      });
      expect(clients.validateRegistration(request({ token_endpoint_auth_method: 'none', scope: 'openid email' }))).toMatchObject({
        token_endpoint_auth_method: 'none',
        scope: 'openid email',
      });
    });

    const refused: [string, Record<string, unknown>, string, RegExp][] = [
      ['the admin scope', { scope: 'openid admin' }, 'scope', /^scope "admin" cannot be registered dynamically/],
      ["an API's scope", { scope: 'openid notes:read' }, 'scope', /^scope "notes:read" is not available to dynamically registered clients/],
      ['resources (Sesame-only)', { resources: ['https://api.example.com'] }, 'resources', /^client metadata "resources" is not supported/],
      ['resource_server (Sesame-only)', { resource_server: true }, 'resource_server', /^client metadata "resource_server" is not supported/],
      [
        'an unknown field, by its name',
        { request_uris: ['https://reg.example.com/request'] },
        'request_uris',
        /^client metadata "request_uris" is not supported by this provider; it accepts client_name, /,
      ],
      ["the console's name", { client_name: 'Sesame console' }, 'client_name', /reserved/],
      ['a redirect URI on the issuer', { redirect_uris: [`${ISSUER}/admin/callback`] }, 'redirect_uris', /Sesame's own origin/],
    ];
    it.each(refused)('validateRegistration refuses %s, naming the field', (_what, extra, field, message) => {
      let thrown: unknown;
      try {
        clients.validateRegistration(request(extra));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect(thrown).toMatchObject({ field, message: expect.stringMatching(message) });
    });

    it('saveRegistered stores the registration under the given id with the secret sealed, leaving out what is not registration', async () => {
      const provided = {
        ...request({ id_token_signed_response_alg: 'ES256' }),
        client_id: 'reg-1',
        client_secret: 'provider-made-secret',
        client_id_issued_at: 1_700_000_000,
        client_secret_expires_at: 0,
        // oidc-provider's own defaults and a Sesame-only field are not stored.
        require_auth_time: false,
        subject_type: 'public',
        resources: ['https://api.example.com'],
      };
      const saved = await clients.saveRegistered('reg-1', provided);
      expect(saved).toEqual({
        client_id: 'reg-1',
        has_secret: true,
        created_at: expect.any(String),
        client_name: 'Registered',
        application_type: 'web',
        redirect_uris: ['https://reg.example.com/cb'],
        post_logout_redirect_uris: [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid profile email offline_access',
        id_token_signed_response_alg: 'ES256',
        require_pkce: true,
        rotate_refresh_tokens: false,
        require_mfa: false,
      });
      expect((await row('reg-1')).secretEncrypted).not.toContain('provider-made-secret');
      expect(await openSecret('reg-1')).toBe('provider-made-secret');

      // An RFC 7592 update replaces it.
      const updated = await clients.saveRegistered('reg-1', { ...provided, client_name: 'Renamed', client_secret: 'second-secret' });
      expect(updated.client_name).toBe('Renamed');
      expect(await openSecret('reg-1')).toBe('second-secret');
      expect(await clients.list()).toHaveLength(1);
      // Recorded from the provider's registration events, not here.
      expect(await events()).toEqual([]);
    });

    it('saveRegistered refuses what validateRegistration refuses, a confidential client without a secret, and the console id', async () => {
      await expect(clients.saveRegistered('reg-2', { ...request({ scope: 'openid admin' }), client_secret: 's' })).rejects.toMatchObject({
        name: 'ValidationError',
        field: 'scope',
      });
      await expect(clients.saveRegistered('reg-2', request())).rejects.toMatchObject({ name: 'ValidationError', field: 'client_secret' });
      await expect(clients.saveRegistered(CONSOLE_CLIENT_ID, { ...request(), client_secret: 's' })).rejects.toMatchObject({
        name: 'ValidationError',
        field: 'client_id',
      });
      expect(await clients.list()).toEqual([]);
      // A public client needs none, and a secret sent along is not kept.
      const spa = await clients.saveRegistered('reg-3', { ...request({ token_endpoint_auth_method: 'none' }), client_secret: 'ignored' });
      expect(spa.has_secret).toBe(false);
      expect((await row('reg-3')).secretEncrypted).toBeNull();
    });
  });

  describe('findForProvider', () => {
    it('gives the metadata with the secret opened, without Sesame-only fields or API scopes', async () => {
      const api = await clients.create(
        notes({
          scope: 'openid profile admin notes:read',
          resources: ['https://api.example.com'],
          resource_server: true,
          logo_uri: 'https://notes.example.com/l.png',
        }),
      );
      expect(await clients.findForProvider(api.client_id)).toEqual({
        client_id: api.client_id,
        client_secret: api.client_secret,
        client_name: 'Notes',
        application_type: 'web',
        redirect_uris: [CALLBACK],
        post_logout_redirect_uris: [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid profile admin',
        logo_uri: 'https://notes.example.com/l.png',
        require_pkce: true,
        rotate_refresh_tokens: false,
      });
      // What was left out is still Sesame's to answer.
      expect(await clients.resourceScopes(api.client_id, 'https://api.example.com')).toEqual(['notes:read']);
      expect(await clients.resourceScopes(api.client_id, 'https://other.example.com')).toBeUndefined();
      expect(await clients.isResourceServer(api.client_id)).toBe(true);
    });

    it('leaves out a scope of API scopes only, and the secret of a public client; an unknown client is undefined', async () => {
      const machine = await clients.create({
        client_name: 'Worker',
        grant_types: ['client_credentials'],
        scope: 'notes:write',
        resources: ['https://api.example.com'],
      });
      const found = await clients.findForProvider(machine.client_id);
      expect(found).not.toHaveProperty('scope');
      expect(found).not.toHaveProperty('resources');
      expect(found!.client_secret).toBe(machine.client_secret);
      const spa = await clients.create(notes({ token_endpoint_auth_method: 'none' }));
      expect(await clients.findForProvider(spa.client_id)).not.toHaveProperty('client_secret');
      expect(await clients.findForProvider('no-such-client')).toBeUndefined();
      expect(await clients.findForProvider('bad\u0000id')).toBeUndefined();
    });
  });

  describe('ensureConsole', () => {
    it("creates the console's public client once, recorded as the system's", async () => {
      const first = await clients.ensureConsole();
      expect(first).toMatchObject({ created: true, repaired: false, removed: [] });
      expect(first.client).toMatchObject({
        client_id: CONSOLE_CLIENT_ID,
        client_name: 'Sesame console',
        token_endpoint_auth_method: 'none',
        has_secret: false,
        grant_types: ['authorization_code'],
        redirect_uris: [`${ISSUER}/admin/callback`, `${ISSUER}/account/callback`],
        post_logout_redirect_uris: [`${ISSUER}/admin`],
      });
      const again = await clients.ensureConsole();
      expect(again).toEqual({ client: first.client, created: false, repaired: false, removed: [] });
      expect(await events()).toEqual([
        expect.objectContaining({
          actor: 'system',
          action: 'client.created',
          target: `client:${CONSOLE_CLIENT_ID}`,
          details: expect.objectContaining({ client_name: 'Sesame console', public: true, reason: 'admin console' }),
        }),
      ]);
    });

    it('creates it once when several instances start together', async () => {
      const results = await Promise.all([clients.ensureConsole(), clients.ensureConsole(), clients.ensureConsole()]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results.filter((r) => r.repaired)).toHaveLength(0);
      expect((await events()).map((e) => e.action)).toEqual(['client.created']);
    });

    it('puts back a registration that differs (ISSUER changed, a secret appeared) and records the repair', async () => {
      await clients.ensureConsole();
      const moved = createClientService(repo, box, { ...POLICY, issuer: 'https://login.example.com' }, audit);
      await db.prisma.auditEvent.deleteMany();

      const repaired = await moved.ensureConsole();
      expect(repaired).toMatchObject({ created: false, repaired: true, removed: [] });
      expect(repaired.client.redirect_uris).toEqual(['https://login.example.com/admin/callback', 'https://login.example.com/account/callback']);
      expect((await clients.get(CONSOLE_CLIENT_ID)).post_logout_redirect_uris).toEqual(['https://login.example.com/admin']);
      expect(await events()).toEqual([
        expect.objectContaining({
          actor: 'system',
          action: 'client.updated',
          target: `client:${CONSOLE_CLIENT_ID}`,
          details: expect.objectContaining({
            changed: ['post_logout_redirect_uris', 'redirect_uris'],
            reason: "admin console: registration put back to the console's own",
          }),
        }),
      ]);

      await repo.setSecret(CONSOLE_CLIENT_ID, await box.seal('planted', `client-secret:${CONSOLE_CLIENT_ID}`));
      expect((await moved.ensureConsole()).repaired).toBe(true);
      expect((await row(CONSOLE_CLIENT_ID)).secretEncrypted).toBeNull();
      expect((await moved.ensureConsole()).repaired).toBe(false);
    });

    it('deletes other clients named like the console (however written), keeping the rest', async () => {
      const metadata = (name: string) =>
        JSON.stringify(buildClientMetadata({ client_name: name, redirect_uris: ['https://evil.example.com/cb'] }, POLICY, { console: true }));
      await repo.create({ id: 'impostor-1', name: 'Sesame console', metadata: metadata('Sesame console'), secretEncrypted: null });
      await repo.create({ id: 'impostor-2', name: ' SESAME   Console ', metadata: metadata(' SESAME   Console '), secretEncrypted: null });
      await repo.create({ id: 'innocent', name: 'Sesame consoles', metadata: metadata('Sesame consoles'), secretEncrypted: null });

      const { removed } = await clients.ensureConsole();
      expect(removed.map((c) => c.client_id).sort()).toEqual(['impostor-1', 'impostor-2']);
      expect((await clients.list()).map((c) => c.client_id).sort()).toEqual(['innocent', CONSOLE_CLIENT_ID]);
      const deletions = (await events()).filter((e) => e.action === 'client.deleted');
      expect(deletions.map((e) => e.target).sort()).toEqual(['client:impostor-1', 'client:impostor-2']);
      for (const deletion of deletions) {
        expect(deletion).toMatchObject({
          actor: 'system',
          details: { redirect_uris: ['https://evil.example.com/cb'], reason: expect.stringContaining('reserved for the admin console') },
        });
      }
      expect((await clients.ensureConsole()).removed).toEqual([]);
    });
  });

  it('isAdminClient: only a client registered with the admin scope', async () => {
    const admin = await clients.create({ client_name: 'Ops', grant_types: ['client_credentials'], scope: 'admin' });
    const plain = await clients.create(notes());
    const lookalike = await clients.create(notes({ scope: 'openid administrator admin:read' }));
    expect(await clients.isAdminClient(admin.client_id)).toBe(true);
    expect(await clients.isAdminClient(plain.client_id)).toBe(false);
    expect(await clients.isAdminClient(lookalike.client_id)).toBe(false);
    expect(await clients.isAdminClient('no-such-client')).toBe(false);
  });

  it('rewrap re-seals secrets sealed under an older KEY_ENCRYPTION_SECRET, and only those', async () => {
    const before = createClientService(repo, new SecretBox([OLD_KEY_SECRET]), POLICY, audit);
    const a = await before.create(notes({ client_name: 'A' }));
    const b = await before.create(notes({ client_name: 'B' }));
    await before.create(notes({ client_name: 'Public', token_endpoint_auth_method: 'none' }));
    const c = await clients.create(notes({ client_name: 'C' }));
    const sealedC = (await row(c.client_id)).secretEncrypted;

    const rotated = new SecretBox([KEY_SECRET, OLD_KEY_SECRET]);
    expect(await createClientService(repo, rotated, POLICY, audit).rewrap()).toBe(2);
    expect((await row(c.client_id)).secretEncrypted).toBe(sealedC);
    // The old secret can go now: everything opens with the current one alone.
    for (const client of [a, b, c]) expect((await clients.findForProvider(client.client_id))!.client_secret).toBe(client.client_secret);
    expect(await createClientService(repo, rotated, POLICY, audit).rewrap()).toBe(0);
  });

  it('leaves no client secret in the audit log, whatever was done', async () => {
    const secrets: string[] = [];
    const made = await clients.create(notes(), ADMIN);
    secrets.push(made.client_secret!);
    secrets.push((await clients.rotateSecret(made.client_id, ADMIN)).client_secret!);
    await clients.update(made.client_id, { client_name: 'Renamed' }, ADMIN);
    await clients.saveRegistered('reg-9', { client_name: 'Reg', redirect_uris: [CALLBACK], client_secret: 'registered-secret' });
    secrets.push('registered-secret');
    await clients.delete(made.client_id, ADMIN);
    expect((await events()).map((e) => e.action).sort()).toEqual(['client.created', 'client.deleted', 'client.secret_rotated', 'client.updated']);
    const rows = await auditRows();
    for (const secret of secrets) expect(rows).not.toContain(secret);
    expect(rows).not.toContain('eyJ'); // nor a sealed one (a JWE's header)
  });
  it('creates under a given id with a given secret, checked like generated ones; setSecret and secretIs', async () => {
    const secret = 'Zx8-q3LmT0vR7yW2nB5cK9dF4hJ6gP1sA_eU';
    const created = await clients.create({ client_name: 'Fixed', grant_types: ['client_credentials'] }, CLI, { clientId: 'fixed.app', secret });
    expect(created).toMatchObject({ client_id: 'fixed.app', client_secret: secret });
    expect(await clients.secretIs('fixed.app', secret)).toBe(true);
    expect(await clients.secretIs('fixed.app', `${secret}x`)).toBe(false);
    expect((await clients.findForProvider('fixed.app'))?.client_secret).toBe(secret);

    await expect(clients.create({ client_name: 'Again', grant_types: ['client_credentials'] }, CLI, { clientId: 'fixed.app' })).rejects.toThrow(
      new ConflictError('a client with id fixed.app already exists'),
    );
    await expect(clients.create({ client_name: 'Console?', redirect_uris: [CALLBACK] }, CLI, { clientId: CONSOLE_CLIENT_ID })).rejects.toThrow(/reserved/);
    await expect(clients.create({ client_name: 'Spaces', redirect_uris: [CALLBACK] }, CLI, { clientId: 'a b' })).rejects.toThrow(ValidationError);
    for (const weak of ['short-but-random-7Qx', 'changeme'.repeat(5), 'ab'.repeat(20)]) {
      await expect(clients.create({ client_name: 'Weak', grant_types: ['client_credentials'] }, CLI, { secret: weak })).rejects.toThrow(ValidationError);
    }
    const spa = await clients.create({ client_name: 'SPA', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' }, CLI, { clientId: 'spa' });
    await expect(clients.setSecret(spa.client_id, secret, CLI)).rejects.toThrow('a public client has no secret');

    const next = 'Hq5-w8RtY2uI0oP3aS6dF9gJ1kL4zX7cV_bN';
    await clients.setSecret('fixed.app', next, CLI);
    expect(await clients.secretIs('fixed.app', next)).toBe(true);
    expect((await clients.findForProvider('fixed.app'))?.client_secret).toBe(next);
    const rotated = (await audit.list({ action: 'client.secret_rotated' })).events;
    expect(rotated.map((e) => [e.target, e.actor])).toEqual([['client:fixed.app', 'cli:operator']]);
  });
});
