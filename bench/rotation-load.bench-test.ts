// Rotation under load and under faults (issues 3 and 9): three Sesame processes on one PostgreSQL
// database rotate their keys on a (fast) schedule while RPs keep getting fresh ID tokens from all
// of them and verifying them with jose's createRemoteJWKSet and jwks-rsa, both with their default
// options. Two faults on the way:
// - a stale secret list during a rewrap: after the first rotation everything is re-sealed under a
//   NEW secret while instances A and B still have only the OLD one (the runbook's steps skipped).
//   They must stop signing (503) rather than sign with keys no longer published; C goes on; A and
//   B are then restarted with NEW,OLD and sign again;
// - a revocation of a fresh active key, as soon as every instance signs with it after a scheduled
//   rotation (its successor is too new for every RP to hold it: the retired key must sign instead).
// The run must show zero failed verifications of tokens signed by keys that were not revoked, and
// zero failed requests except those the stale instances refused while they were stale.
//
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:rotation
//
// Schedule: JWKS_CACHE_LIFETIME=40s (longer than jose's 30 s refetch cooldown), KEY_ROTATION_INTERVAL=45s,
// KEY_SYNC_INTERVAL=1s, token and session lifetimes 30s so retired keys expire between rotations.
import { createRemoteJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { JwksClient } from 'jwks-rsa';
import * as oidc from 'openid-client';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import { silentLogger } from '../src/logger.js';
import { TestBrowser } from '../test/helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/databases.js';
import { startInstance, stopInstance, type Instance } from '../test/helpers/instances.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../test/helpers/round-robin-proxy.js';
import { discover, discoverVia, exchange, REDIRECT_URI, signIn, startAuthorization } from '../test/helpers/rp.js';
import { TEST_SECRETS } from '../test/helpers/sesame.js';

const WORKERS_PER_INSTANCE = 2;
/** ID tokens each instance signs with the reinstated key before the run ends: what the RPs verify after the revocation. */
const TOKENS_AFTER_REVOCATION = 100;
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
let front: RoundRobinProxy | undefined;
const instances = new Map<Name, Instance>();
afterAll(async () => {
  await Promise.all([...instances.values()].map(stopInstance));
  await front?.close();
  await db?.drop();
});

const NEW_SECRET = 'a-new-key-encryption-secret-for-the-bench-0123456789';
const OLD_SECRET = TEST_SECRETS.KEY_ENCRYPTION_SECRET;

type Name = 'A' | 'B' | 'C';

it('keeps every RP verifying through scheduled rotations, a stale secret list during a rewrap, and a revocation', async () => {
  db = await createTestDatabase('postgresql', { migrated: false });
  // The issuer is a front (the load balancer) that forwards to C, which is never restarted: every
  // instance takes a new port when it starts (PORT=0), so A's and B's addresses change with their
  // restarts below while the issuer stays.
  front = await startRoundRobinProxy();
  const issuer = front.url;
  const env = { DATABASE_URL: db.url, ...TEST_SECRETS, ...SCHEDULE, ISSUER: issuer };
  const launch = async (name: Name, secrets: string) => {
    instances.set(name, await startInstance({ ...env, KEY_ENCRYPTION_SECRET: secrets }));
  };
  // C starts with OLD,NEW (the runbook's first step); A and B with OLD only.
  await Promise.all([launch('A', OLD_SECRET), launch('B', OLD_SECRET), launch('C', `${OLD_SECRET},${NEW_SECRET}`)]);
  const c = instances.get('C')!.url;
  front.route([c]);

  const container = await createContainer(loadConfig({ NODE_ENV: 'test', ...env }), silentLogger);
  const user = { email: 'load@example.com', password: 'a long enough password' };
  await container.accounts.create(user);
  const client = await container.clients.create({ client_name: 'Load', redirect_uris: [REDIRECT_URI] });

  /** One RP configuration per instance: the shared issuer, every endpoint on that instance (repointed when it restarts). */
  const via = (name: Name) => discoverVia(issuer, instances.get(name)!.url, client.client_id, client.client_secret);
  const targets = await Promise.all((['A', 'B', 'C'] as const).map(async (name) => ({ name, config: await via(name) })));

  // The RPs: default options, both on C's JWKS (C is never restarted).
  const joseJwks = createRemoteJWKSet(new URL(`${c}/jwks`));
  const jwksRsa = new JwksClient({ jwksUri: `${c}/jwks` });

  const revoked = new Set<string>();
  const kidsSeen = new Set<string>();
  const stale = new Set<Name>();
  const counts = { tokens: 0, verified: 0, failedVerifications: 0, failedOfRevokedKeys: 0, failedRequests: 0, refusedWhileStale: 0 };
  /** Per instance: requests refused while it was stale, and ID tokens it signed, by kid. */
  const refusedBy: Record<Name, number> = { A: 0, B: 0, C: 0 };
  const signedBy: Record<Name, Map<string, number>> = { A: new Map(), B: new Map(), C: new Map() };
  const failures: string[] = [];
  let stop = false;

  async function worker(target: (typeof targets)[number]): Promise<void> {
    const instance = target.name;
    // The browser signs in at the issuer's address (the provider's redirects always name it); the
    // code is redeemed and every refresh made at this worker's instance (target.config, which a
    // restart repoints).
    const start = await startAuthorization(await discover(issuer, client.client_id, client.client_secret), {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    let refreshToken = (await exchange(target.config, await signIn(new TestBrowser(issuer), start, user), start)).refresh_token!;
    while (!stop) {
      let idToken: string;
      const config = target.config;
      try {
        const tokens = await oidc.refreshTokenGrant(config, refreshToken);
        refreshToken = tokens.refresh_token!;
        idToken = tokens.id_token!;
      } catch (error) {
        // Stale, or sent to its old address just before a restarted instance was repointed.
        if (stale.has(instance) || config !== target.config) {
          counts.refusedWhileStale++;
          refusedBy[instance]++;
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
      signedBy[instance].set(kid!, (signedBy[instance].get(kid!) ?? 0) + 1);
      for (const verify of [
        () => jwtVerify(idToken, joseJwks, { issuer }),
        async () => jwtVerify(idToken, await importSPKI((await jwksRsa.getSigningKey(kid)).getPublicKey(), alg!), { issuer }),
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
  const workers = targets.flatMap((target) => Array.from({ length: WORKERS_PER_INSTANCE }, () => worker(target)));

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

  /** Polls `condition` every 250 ms; fails the run with `what` if it is not met within `ms`. */
  async function until(condition: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  /** How many ID tokens each instance has signed with `kid` so far. */
  const signedWith = (kid: string) => (['A', 'B', 'C'] as const).map((name) => signedBy[name].get(kid) ?? 0);

  await nextRotation();
  // The stale secret list: everything re-sealed under NEW while A and B have only OLD.
  const rewrapper = await createContainer(loadConfig({ NODE_ENV: 'test', ...env, KEY_ENCRYPTION_SECRET: `${NEW_SECRET},${OLD_SECRET}` }), silentLogger);
  stale.add('A');
  stale.add('B');
  const rewrapped = { keys: await rewrapper.keys.rewrap(), clientSecrets: await rewrapper.clients.rewrap() };
  await rewrapper.close();
  await nextRotation(); // its new active key is sealed under NEW: A and B stop signing
  // Within a few sync intervals both refuse (503) rather than sign with a key they cannot open.
  await until(() => refusedBy.A > 0 && refusedBy.B > 0, 'A and B refusing to sign while stale', 10_000);
  const refusedDuringStale = counts.refusedWhileStale;
  // The fix: A and B restarted with NEW,OLD, one at a time; each comes back on a new port, and its
  // workers are repointed there.
  for (const name of ['A', 'B'] as const) {
    await stopInstance(instances.get(name)!);
    await launch(name, `${NEW_SECRET},${OLD_SECRET}`);
    const config = await via(name);
    for (const target of targets) if (target.name === name) target.config = config;
    stale.delete(name);
  }
  await nextRotation();

  // A revocation of a fresh active key: once every instance signs with it, its successor is brand new.
  await nextRotation();
  const compromised = await activeKid();
  await until(() => signedWith(compromised).every((n) => n > 0), 'every instance signing with the new active key', 10_000);
  revoked.add(compromised);
  const revocation = await container.keys.revoke(compromised);
  // Then every instance signs with the reinstated key, and the RPs verify what it signs.
  const reinstated = revocation.changes.find((ch) => ch.kind === 'reinstate')?.kid;
  expect(reinstated, 'a retired key reinstated').toBeDefined();
  await until(
    () => signedWith(reinstated!).every((n) => n >= TOKENS_AFTER_REVOCATION),
    `${TOKENS_AFTER_REVOCATION} ID tokens from every instance signed with the reinstated key`,
    30_000,
  );
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
  expect(revocation.changes.map((ch) => ch.kind)).toEqual(['revoke', 'reinstate']);
});
