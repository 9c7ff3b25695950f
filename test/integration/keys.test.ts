// Signing keys at rest and in the key set handed to the provider.
import { importJWK, SignJWT, jwtVerify, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { PRIVATE_JWK_MEMBERS } from '../../src/domain/keys/key-material.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TEST_SECRETS } from '../helpers/sesame.js';

const ALL_ALGS = 'RS256,PS256,ES256,EdDSA';

describe.each(PROVIDERS)('signing keys on %s', (provider) => {
  let db: TestDatabase;
  const containers: Container[] = [];
  afterEach(async () => {
    await Promise.all(containers.splice(0).map((c) => c.close()));
    await db?.drop();
  });

  async function container(env: Record<string, string> = {}): Promise<Container> {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS, SIGNING_ALGS: ALL_ALGS, ...env });
    const c = await createContainer(config, silentLogger);
    containers.push(c);
    return c;
  }

  it('creates one active and one next key per family, once, even when two instances start together', async () => {
    db = await createTestDatabase(provider);
    const [a, b] = [await container(), await container()];
    // Two instances share a database only on PostgreSQL. (On SQLite, two connections in one
    // process cannot wait for each other: better-sqlite3's busy wait blocks the only thread.)
    if (provider === 'postgresql') await Promise.all([a.keys.ensureKeys(), b.keys.ensureKeys()]);
    else for (const c of [a, b]) await c.keys.ensureKeys();
    const keys = await a.keys.list();
    expect(keys).toHaveLength(8);
    for (const alg of ALL_ALGS.split(',')) {
      expect(
        keys
          .filter((k) => k.alg === alg)
          .map((k) => k.state)
          .sort(),
      ).toEqual(['active', 'next']);
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(8);
    // A restart finds them and makes no more.
    await a.keys.ensureKeys();
    expect(await a.keys.list()).toEqual(keys);
  });

  it('hands the provider private keys, active first, that sign what their public halves verify', async () => {
    db = await createTestDatabase(provider);
    const c = await container();
    await c.keys.ensureKeys();
    const views = await c.keys.list();
    const jwks = await c.keys.signingJwks();
    expect(jwks).toHaveLength(8);
    const firstRsa = jwks.find((k) => k.alg === 'RS256')!;
    expect(firstRsa.kid).toBe(views.find((k) => k.alg === 'RS256' && k.state === 'active')!.kid);
    for (const jwk of jwks) {
      expect(jwk.use).toBe('sig');
      if (jwk.kty === 'RSA') expect(Buffer.from(jwk.n!, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
      const token = await new SignJWT({ hello: 'world' }).setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid }).sign(await importJWK(jwk));
      const pub = Object.fromEntries(Object.entries(jwk).filter(([k]) => !(PRIVATE_JWK_MEMBERS as readonly string[]).includes(k)));
      await expect(jwtVerify(token, await importJWK(pub, jwk.alg))).resolves.toBeTruthy();
    }
  });

  it('stores nothing a thief could sign with: no private members in clear, and the wrong secret opens nothing', async () => {
    db = await createTestDatabase(provider);
    const c = await container();
    await c.keys.ensureKeys();
    const jwks = await c.keys.signingJwks();
    const rows = await c.db.prisma.signingKey.findMany();
    expect(rows).toHaveLength(jwks.length);
    for (const row of rows) {
      const publicJwk = JSON.parse(row.publicJwk) as Record<string, unknown>;
      for (const member of PRIVATE_JWK_MEMBERS) expect(publicJwk).not.toHaveProperty(member);
      const privateJwk = jwks.find((k) => k.kid === row.kid) as JWK; // the database store's keys are private JWKs
      expect(row.privateJwe).not.toContain(privateJwk.d);
      expect(JSON.stringify(row)).not.toContain(privateJwk.d);
    }
    const thief = await container({ KEY_ENCRYPTION_SECRET: 'a-different-secret-of-enough-length-000' });
    await expect(thief.keys.signingJwks()).rejects.toThrow(/no longer configured/);
  });
});
