// Rotation under load and under faults (issues 3 and 9): three Sesame processes on one PostgreSQL
// database rotate their keys on a (fast) schedule while RPs keep getting fresh ID tokens from all
// of them and verifying them with jose's createRemoteJWKSet and jwks-rsa, both with their default
// options. Two faults on the way:
// - a stale secret list during a rewrap: after the first rotation everything is re-sealed under a
//   NEW secret while instances A and B still have only the OLD one (the runbook's steps skipped).
//   They must stop signing (503) rather than sign with keys no longer published; C goes on; A and
//   B are then restarted with NEW,OLD and sign again;
// - a revocation of a fresh active key, a second after a scheduled rotation (its successor is too
//   new for every RP to hold it: the retired key must sign instead).
// The run must show zero failed verifications of tokens signed by keys that were not revoked, and
// zero failed requests except those the stale instances refused while they were stale.
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
const instances = new Map<string, ChildProcess>();
afterAll(async () => {
  await Promise.all([...instances.values()].map(stopInstance));
  await db?.drop();
});

const NEW_SECRET = 'a-new-key-encryption-secret-for-the-bench-0123456789';
const OLD_SECRET = TEST_SECRETS.KEY_ENCRYPTION_SECRET;

it('keeps every RP verifying through scheduled rotations, a stale secret list during a rewrap, and a revocation', async () => {
  db = await createTestDatabase('postgresql', { migrated: false });
  const ports = [await freePort(), await freePort(), await freePort()];
  const [a, b, c] = ports.map((p) => `http://localhost:${p}`) as [string, string, string];
  const env = { DATABASE_URL: db.url, ...TEST_SECRETS, ...SCHEDULE, ISSUER: a };
  const launch = async (url: string, secrets: string) => {
    instances.set(url, await startInstance({ ...env, KEY_ENCRYPTION_SECRET: secrets, PORT: new URL(url).port }));
  };
  // C starts with OLD,NEW (the runbook's first step); A and B with OLD only.
  await Promise.all([launch(a, OLD_SECRET), launch(b, OLD_SECRET), launch(c, `${OLD_SECRET},${NEW_SECRET}`)]);

  const container = await createContainer(loadConfig({ NODE_ENV: 'test', ...env }), silentLogger);
  const user = { email: 'load@example.com', password: 'a long enough password' };
  await container.accounts.create(user);
  const client = await container.clients.create({ client_name: 'Load', redirect_uris: [REDIRECT_URI] });

  // One RP configuration per instance: the shared issuer, every endpoint on that instance.
  const configs = await Promise.all(
    [a, b, c].map(async (instance) => ({ instance, config: await discoverVia(a, instance, client.client_id, client.client_secret) })),
  );

  // The RPs: default options, both on C's JWKS (C is never restarted).
  const joseJwks = createRemoteJWKSet(new URL(`${c}/jwks`));
  const jwksRsa = new JwksClient({ jwksUri: `${c}/jwks` });

  const revoked = new Set<string>();
  const kidsSeen = new Set<string>();
  const stale = new Set<string>();
  const counts = { tokens: 0, verified: 0, failedVerifications: 0, failedOfRevokedKeys: 0, failedRequests: 0, refusedWhileStale: 0 };
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
        if (stale.has(instance)) {
          counts.refusedWhileStale++;
          await new Promise((r) => setTimeout(r, 100));
        } else {
          counts.failedRequests++;
          failures.push(`request to ${instance}: ${(error as Error).message}`);
        }
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
  const workers = configs.flatMap((cfg) => Array.from({ length: WORKERS_PER_INSTANCE }, () => worker(cfg)));

  const activeKid = async () => (await container.keys.list()).find((k) => k.state === 'active')!.kid;
  const activeKids = new Set<string>([await activeKid()]);
  /** Waits for the next scheduled rotation (the instances do them; nobody calls rotate). */
  async function nextRotation(): Promise<void> {
    const seen = activeKids.size;
    while (activeKids.size === seen) {
      await new Promise((r) => setTimeout(r, 250));
      activeKids.add(await activeKid());
      if (Date.now() - started > 10 * 60_000) throw new Error('rotations did not happen on schedule');
    }
  }

  await nextRotation();
  // The stale secret list: everything re-sealed under NEW while A and B have only OLD.
  const rewrapper = await createContainer(loadConfig({ NODE_ENV: 'test', ...env, KEY_ENCRYPTION_SECRET: `${NEW_SECRET},${OLD_SECRET}` }), silentLogger);
  stale.add(a);
  stale.add(b);
  const rewrapped = { keys: await rewrapper.keys.rewrap(), clientSecrets: await rewrapper.clients.rewrap() };
  await rewrapper.close();
  await nextRotation(); // its new active key is sealed under NEW: A and B stop signing
  await new Promise((r) => setTimeout(r, 3000));
  const refusedDuringStale = counts.refusedWhileStale;
  // The fix: A and B restarted with NEW,OLD, one at a time.
  for (const url of [a, b]) {
    await stopInstance(instances.get(url)!);
    await launch(url, `${NEW_SECRET},${OLD_SECRET}`);
    stale.delete(url);
  }
  await nextRotation();

  // A revocation of the active key a second after its rotation: its successor is brand new.
  await nextRotation();
  await new Promise((r) => setTimeout(r, 1000));
  const compromised = await activeKid();
  revoked.add(compromised);
  const revocation = await container.keys.revoke(compromised);
  await new Promise((r) => setTimeout(r, 10_000));
  stop = true;
  await Promise.all(workers);
  await container.close();

  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `rotation load: ${seconds}s, ${activeKids.size - 1} scheduled rotations + 1 revocation ` +
      `(${revocation.changes.map((ch) => ch.kind).join(', ')}${revocation.warnings.length ? `; warned: ${revocation.warnings.join(' ')}` : ''}), ` +
      `rewrap of ${rewrapped.keys} keys and ${rewrapped.clientSecrets} client secrets with 2 of 3 instances stale, ` +
      `${kidsSeen.size} signing keys seen, ${counts.tokens} ID tokens issued, ${counts.verified} verifications passed, ` +
      `${counts.failedVerifications} failed (non-revoked keys), ${counts.failedOfRevokedKeys} failed (revoked key), ` +
      `${counts.failedRequests} failed requests, ${refusedDuringStale} refused by the stale instances while stale`,
  );
  if (failures.length) console.log(failures.slice(0, 10).join('\n'));
  expect(counts.failedVerifications).toBe(0);
  expect(counts.failedRequests).toBe(0);
  expect(refusedDuringStale).toBeGreaterThan(0);
  expect(revocation.changes.map((ch) => ch.kind)).toEqual(['revoke', 'reinstate']);
});
