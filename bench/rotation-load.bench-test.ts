// Rotation under load (issue 3): two Sesame processes on one PostgreSQL database rotate their keys
// on a (fast) schedule while RPs keep getting fresh ID tokens from both and verifying them with
// jose's createRemoteJWKSet and jwks-rsa, both with their default options. After three scheduled
// rotations the active key is revoked. The run must show zero failed verifications of tokens
// signed by keys that were not revoked, and zero failed requests.
//
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:rotation
//
// Schedule: JWKS_CACHE_LIFETIME=40s (longer than jose's 30 s refetch cooldown), KEY_ROTATION_INTERVAL=45s,
// KEY_SYNC_INTERVAL=1s, token and session lifetimes 30s so retired keys expire between rotations.
import type { ChildProcess } from 'node:child_process';
import { createRemoteJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { JwksClient } from 'jwks-rsa';
import * as oidc from 'openid-client';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import { silentLogger } from '../src/logger.js';
import { TestBrowser } from '../test/helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/databases.js';
import { freePort, startInstance, stopInstance } from '../test/helpers/instances.js';
import { discover, discoverVia, exchange, REDIRECT_URI, signIn, startAuthorization } from '../test/helpers/rp.js';
import { TEST_SECRETS } from '../test/helpers/sesame.js';

const ROTATIONS = 3;
const WORKERS_PER_INSTANCE = 2;
const SCHEDULE = {
  JWKS_CACHE_LIFETIME: '40s',
  KEY_ROTATION_INTERVAL: '45s',
  KEY_SYNC_INTERVAL: '1s',
  ID_TOKEN_TTL: '30s',
  ACCESS_TOKEN_TTL: '30s',
  SESSION_TTL: '30s',
  SESSION_MAX_AGE: '30s',
};

let db: TestDatabase | undefined;
const instances: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(instances.map(stopInstance));
  await db?.drop();
});

it('keeps every RP verifying through three scheduled rotations and a revocation', async () => {
  db = await createTestDatabase('postgresql', { migrated: false });
  const ports = [await freePort(), await freePort()];
  const [a, b] = ports.map((p) => `http://localhost:${p}`) as [string, string];
  const env = { DATABASE_URL: db.url, ...TEST_SECRETS, ...SCHEDULE, ISSUER: a };
  instances.push(...(await Promise.all(ports.map((port) => startInstance({ ...env, PORT: String(port) })))));

  const container = await createContainer(loadConfig({ NODE_ENV: 'test', ...env }), silentLogger);
  const user = { email: 'load@example.com', password: 'a long enough password' };
  await container.accounts.create(user);
  const client = await container.clients.create({ name: 'Load', redirectUris: [REDIRECT_URI] });

  // One RP configuration per instance: the shared issuer, every endpoint on that instance.
  const configs = await Promise.all(
    [a, b].map(async (instance) => ({ instance, config: await discoverVia(a, instance, client.client_id, client.client_secret) })),
  );

  // The RPs: default options, the JWKS of instance A for jose and of instance B for jwks-rsa.
  const joseJwks = createRemoteJWKSet(new URL(`${a}/jwks`));
  const jwksRsa = new JwksClient({ jwksUri: `${b}/jwks` });

  const revoked = new Set<string>();
  const kidsSeen = new Set<string>();
  const counts = { tokens: 0, verified: 0, failedVerifications: 0, failedOfRevokedKeys: 0, failedRequests: 0 };
  const failures: string[] = [];
  let stop = false;

  async function worker({ instance, config }: (typeof configs)[number]): Promise<void> {
    // The browser signs in at the issuer's address (the provider's redirects always name it); the
    // code is redeemed and every refresh made at this worker's instance.
    const start = await startAuthorization(await discover(a, client.client_id, client.client_secret), { scope: 'openid offline_access', prompt: 'consent' });
    let refreshToken = (await exchange(config, await signIn(new TestBrowser(a), start, user), start)).refresh_token!;
    while (!stop) {
      let idToken: string;
      try {
        const tokens = await oidc.refreshTokenGrant(config, refreshToken);
        refreshToken = tokens.refresh_token!;
        idToken = tokens.id_token!;
      } catch (error) {
        counts.failedRequests++;
        failures.push(`request to ${instance}: ${(error as Error).message}`);
        continue;
      }
      counts.tokens++;
      const { kid, alg } = decodeProtectedHeader(idToken);
      kidsSeen.add(kid!);
      for (const verify of [
        () => jwtVerify(idToken, joseJwks, { issuer: a }),
        async () => jwtVerify(idToken, await importSPKI((await jwksRsa.getSigningKey(kid)).getPublicKey(), alg!), { issuer: a }),
      ]) {
        try {
          await verify();
          counts.verified++;
        } catch (error) {
          if (revoked.has(kid!)) counts.failedOfRevokedKeys++;
          else {
            counts.failedVerifications++;
            failures.push(`kid ${kid}: ${(error as Error).message}`);
          }
        }
      }
    }
  }

  const started = Date.now();
  const workers = configs.flatMap((c) => Array.from({ length: WORKERS_PER_INSTANCE }, () => worker(c)));

  // Wait for the scheduled rotations (the instances do them; nobody calls rotate).
  const activeKids = new Set<string>();
  const activeKid = async () => (await container.keys.list()).find((k) => k.state === 'active')!.kid;
  activeKids.add(await activeKid());
  while (activeKids.size < ROTATIONS + 1) {
    await new Promise((r) => setTimeout(r, 1000));
    activeKids.add(await activeKid());
    if (Date.now() - started > 8 * 60_000) throw new Error('rotations did not happen on schedule');
  }
  // Revoke the active key 20 s after the last rotation, as after a compromise.
  await new Promise((r) => setTimeout(r, 20_000));
  const compromised = await activeKid();
  revoked.add(compromised);
  await container.keys.revoke(compromised);
  await new Promise((r) => setTimeout(r, 10_000));
  stop = true;
  await Promise.all(workers);
  await container.close();

  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `rotation load: ${seconds}s, ${ROTATIONS} scheduled rotations + 1 revocation, ${kidsSeen.size} signing keys seen, ` +
      `${counts.tokens} ID tokens issued, ${counts.verified} verifications passed, ` +
      `${counts.failedVerifications} failed (non-revoked keys), ${counts.failedOfRevokedKeys} failed (revoked key), ` +
      `${counts.failedRequests} failed requests`,
  );
  if (failures.length) console.log(failures.slice(0, 10).join('\n'));
  expect(counts.failedVerifications).toBe(0);
  expect(counts.failedRequests).toBe(0);
  expect(kidsSeen.size).toBeGreaterThanOrEqual(ROTATIONS + 2);
});
