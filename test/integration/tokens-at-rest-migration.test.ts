// The migration that hashes ids at rest, on every database this run covers: rows written the way
// the adapter wrote them before (the id as presented, the payload exactly as oidc-provider gave it)
// by oidc-provider's own models, then the migration, then Sesame on the migrated database. The
// rows move under their digests and lose their copies of the ids, and what was issued before the
// upgrade keeps working after it: a refresh token redeems, an access token reads /me, the session
// and the interaction are found, an initial access token registers a client.
import BetterSqlite from 'better-sqlite3';
import { exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import Provider, { type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { createOidcPayloadRepository, type OidcPayloadRepository } from '../../src/db/oidc-payload-repository.js';
import { storedKeyFor } from '../../src/db/payload-at-rest.js';
import { REGISTRATION_POLICY } from '../../src/oidc/initial-access-token.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { discover, REDIRECT_URI } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS } from '../helpers/sesame.js';

const MIGRATION = '20261202022847_hash_bearer_ids_at_rest';
const GRANT_MEMBERS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);
const epoch = () => Math.floor(Date.now() / 1000);

/** The adapter as it was before ids were hashed (src/oidc/adapter.ts at 67d1700), writes only. */
function legacyAdapter(payloads: OidcPayloadRepository): AdapterConstructor {
  return class LegacyAdapter implements Adapter {
    constructor(private readonly model: string) {}
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await payloads.upsert(this.model, id, JSON.stringify(payload), {
        grantId: GRANT_MEMBERS.has(this.model) ? payload.grantId : null,
        userCode: payload.userCode,
        uid: payload.uid,
        expiresAt: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null,
      });
    }
    async find(): Promise<undefined> {
      return undefined;
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(): Promise<void> {}
    async revokeByGrantId(): Promise<void> {}
  };
}

describe.each(PROVIDERS)('hashing ids at rest, migrating on %s', (provider) => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  /** Applies every migration after MIGRATION and records it as applied; returns their names. */
  async function lendLaterMigrations(): Promise<string[]> {
    const all = readMigrations(provider);
    const later = all.slice(all.findIndex((m) => m.name === MIGRATION) + 1);
    const record = 'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ';
    if (db.config.provider === 'sqlite') {
      const sqlite = new BetterSqlite(db.config.file);
      try {
        for (const m of later) {
          sqlite.exec(m.sql);
          sqlite.prepare(`${record}(?, ?, ?, ?, ?, 1)`).run(randomUUID(), m.checksum, Date.now(), m.name, Date.now());
        }
      } finally {
        sqlite.close();
      }
    } else {
      const client = new pg.Client({ connectionString: db.config.url });
      await client.connect();
      try {
        for (const m of later) {
          await client.query(m.sql);
          await client.query(`${record}($1, $2, now(), $3, now(), 1)`, [randomUUID(), m.checksum, m.name]);
        }
      } finally {
        await client.end();
      }
    }
    return later.map((m) => m.name);
  }

  it('moves rows written before under their digests, and what they stand for keeps working', async () => {
    const previous = readMigrations(provider).map((m) => m.name);
    const before = previous[previous.indexOf(MIGRATION) - 1]!;
    db = await createTestDatabase(provider, { migrated: false });
    await migrate(db.config, { until: before });
    // Today's code needs the tables and columns later migrations add: they are applied (and recorded,
    // as if they had come first), so the upgrade below is this migration alone.
    const later = await lendLaterMigrations();

    // A person and an app, made by Sesame on the database as the earlier version left it.
    const user = { email: 'early@example.com', password: 'correct horse battery staple' };
    const first = await startTestSesame({ db });
    const accountId = (await first.container.accounts.create({ ...user, emailVerified: true })).id;
    const app = await first.container.clients.create({
      client_name: 'Early',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    const issuer = first.issuer;
    await first.close();

    // Sessions and tokens, stored the old way.
    const database = await openDatabase(db.config);
    let issued: Record<'sessionId' | 'interactionId' | 'refreshToken' | 'accessToken' | 'initialAccessToken', string>;
    let grantId: string;
    try {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const legacy = new Provider(issuer, {
        adapter: legacyAdapter(createOidcPayloadRepository(database.prisma, database.sql)),
        clients: [{ client_id: app.client_id, client_secret: 'unused', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'] }],
        jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'legacy', alg: 'RS256', use: 'sig' }] },
        cookies: { keys: TEST_SECRETS.COOKIE_KEYS.split(',') },
        features: {
          devInteractions: { enabled: false },
          registration: { enabled: true, initialAccessToken: true, policies: { [REGISTRATION_POLICY]: () => undefined } },
        },
      });
      const client = (await legacy.Client.find(app.client_id))!;
      const grant = new legacy.Grant({ accountId, clientId: app.client_id });
      grant.addOIDCScope('openid offline_access');
      grantId = await grant.save();
      const session = new legacy.Session();
      Object.assign(session, { accountId, loginTs: epoch(), authorizations: { [app.client_id]: { sid: 'sid-1', grantId } } });
      const sessionId = await session.save(3600);
      const interactionId = 'early-interaction-0123456789';
      // oidc-provider builds an Interaction from its uid and payload; its types leave that out.
      const Interaction = legacy.Interaction as unknown as new (uid: string, payload: Record<string, unknown>) => InstanceType<typeof legacy.Interaction>;
      await new Interaction(interactionId, {
        returnTo: `${issuer}/auth/${interactionId}`,
        session,
        params: { client_id: app.client_id },
        prompt: { name: 'consent', reasons: [], details: {} },
      }).save(600);
      const common = { accountId, client, grantId, gty: 'authorization_code', sessionUid: session.uid, sid: 'sid-1', authTime: epoch() };
      issued = {
        sessionId,
        interactionId,
        refreshToken: await new legacy.RefreshToken({ ...common, scope: 'openid offline_access', iiat: epoch() }).save(),
        accessToken: await new legacy.AccessToken({ ...common, scope: 'openid' }).save(),
        initialAccessToken: await new legacy.InitialAccessToken({ expiresIn: 600, policies: [REGISTRATION_POLICY] }).save(),
      };
      // Written the old way indeed: the ids are the values.
      expect(await database.prisma.oidcPayload.count({ where: { id: { in: Object.values(issued) } } })).toBe(5);
    } finally {
      await database.close();
    }

    expect((await migrate(db.config)).applied).toEqual([MIGRATION]);
    expect(later.length).toBeGreaterThan(0);

    const second = await startTestSesame({ db });
    try {
      const rows = await second.container.db.prisma.oidcPayload.findMany();
      for (const row of rows) {
        for (const [name, value] of Object.entries(issued)) {
          expect(row.id, `${row.model} id holds ${name}`).not.toContain(value);
          expect(row.payload, `${row.model} payload holds ${name}`).not.toContain(value);
        }
      }
      const models = {
        sessionId: 'Session',
        interactionId: 'Interaction',
        refreshToken: 'RefreshToken',
        accessToken: 'AccessToken',
        initialAccessToken: 'InitialAccessToken',
      } as const;
      for (const [name, model] of Object.entries(models)) {
        const key = storedKeyFor(model, issued[name as keyof typeof models]);
        expect(
          rows.find((r) => r.model === model && r.id === key),
          model,
        ).toBeDefined();
      }
      // Grant ids are references, kept as they were.
      expect(rows.find((r) => r.model === 'Grant')?.id).toBe(grantId);

      const config = await discover(second.issuer, app.client_id, app.client_secret);
      const me = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${issued.accessToken}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: accountId });
      const refreshed = await oidc.refreshTokenGrant(config, issued.refreshToken);
      expect(refreshed.claims()?.sub).toBe(accountId);

      const live = second.holder.current();
      expect(await live.Session.find(issued.sessionId)).toMatchObject({ accountId, jti: issued.sessionId });
      const interaction = await live.Interaction.find(issued.interactionId);
      expect(interaction).toMatchObject({ uid: issued.interactionId, returnTo: `${issuer}/auth/${issued.interactionId}` });
      expect(interaction?.session).toEqual({ accountId, uid: expect.any(String) });

      const registration = await fetch(`${second.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${issued.initialAccessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'Registered after the upgrade', redirect_uris: [REDIRECT_URI] }),
      });
      expect(registration.status).toBe(201);
    } finally {
      await second.close();
    }
  });
});
