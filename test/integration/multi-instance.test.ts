// The docker-compose topology without Docker: two Sesame processes (the built server, as
// `npm start` runs it) on one PostgreSQL database, sharing cookie keys and the encryption secret,
// and a front at the issuer's address as the proxy there (this one forwards to A only, so that
// every step names the instance it runs on).
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { startInstance, stopInstance, type Instance } from '../helpers/instances.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { discover, discoverVia, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { TEST_SECRETS } from '../helpers/sesame.js';
import { openDatabase } from '../../src/db/database.js';
import { createContainer } from '../../src/container.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';

const SYNC_SECONDS = 1;

describe.runIf(TEST_DATABASE_URL)('two instances on one PostgreSQL database', () => {
  let db: TestDatabase;
  let front: RoundRobinProxy;
  let instances: Instance[] = [];
  /** The issuer (a front that forwards to instance A, as a load balancer would), A and B. */
  let issuer: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    // No migrations yet: both instances start at the same moment and must not trip over each other.
    db = await createTestDatabase('postgresql', { migrated: false });
    // Each instance takes its own port (PORT=0), so neither address exists before they start; the
    // front's does, and it is the issuer both are started with.
    front = await startRoundRobinProxy();
    issuer = front.url;
    const env = { DATABASE_URL: db.url, ...TEST_SECRETS, KEY_SYNC_INTERVAL: `${SYNC_SECONDS}s`, ISSUER: issuer };
    instances = await Promise.all([startInstance(env), startInstance(env)]);
    [a, b] = instances.map((instance) => instance.url) as [string, string];
    front.route([a]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await front?.close();
    await db?.drop();
  });

  it('publishes the same keys from both instances, and a session started on one is honoured by the other', async () => {
    const [jwksA, jwksB] = await Promise.all([a, b].map((u) => fetch(`${u}/jwks`).then((r) => r.json())));
    expect(jwksA).toEqual(jwksB);

    // Users and clients are made with the same services the CLI uses, on the shared database.
    const container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS }), silentLogger);
    const user = { email: 'grace@example.com', password: 'a long enough password' };
    await container.accounts.create(user);
    const client = await container.clients.create({ client_name: 'Shared app', redirect_uris: [REDIRECT_URI] });
    await container.close();

    const config = await discover(issuer, client.client_id, client.client_secret);
    const browser = new TestBrowser(issuer);
    const start = await startAuthorization(config);
    const callback = await signIn(browser, start, user);
    const tokens = await exchange(config, callback, start);
    expect(tokens.id_token).toBeTruthy();

    // Same browser (cookies are per host, not per port), other instance: already signed in.
    const silent = await startAuthorization(config, { prompt: 'none' });
    const viaB = new URL(silent.url.toString().replace(issuer, b));
    const page = await new TestBrowserFrom(browser, b).request(viaB.toString());
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
    const params = new URL(page.url).searchParams;
    expect(params.get('error')).toBeNull();
    expect(params.get('code')).toBeTruthy();

    // The code issued by B is redeemed at A (through the front).
    const second = await exchange(config, new URL(page.url), silent);
    expect(second.claims()!.sub).toBe(tokens.claims()!.sub);

    const check = await openDatabase(db.config);
    expect(await check.prisma.signingKey.count()).toBe(2); // one active, one next: not one set per instance
    await check.close();
  });

  it('serves and signs with a rotated key set on both instances within KEY_SYNC_INTERVAL', async () => {
    const kids = async (url: string) => ((await (await fetch(`${url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS }), silentLogger);
    try {
      const before = await container.keys.list();
      const next = before.find((k) => k.state === 'next')!.kid;
      // Published on both instances before it signs anywhere.
      expect(await kids(a)).toContain(next);
      expect(await kids(b)).toContain(next);

      // What `sesame keys rotate --force` does, from outside both instances.
      await container.keys.rotate({ force: true });
      const rotatedAt = Date.now();
      const newNext = (await container.keys.list()).find((k) => k.state === 'next')!.kid;
      /** How long after the rotation `url` first served the new next key (polled, with a far deadline). */
      const servedAfter = async (url: string): Promise<number> => {
        while (!(await kids(url)).includes(newNext)) {
          if (Date.now() - rotatedAt > 10 * SYNC_SECONDS * 1000) throw new Error(`${url} did not pick up the rotation in 10 sync intervals`);
          await new Promise((r) => setTimeout(r, 50));
        }
        return Date.now() - rotatedAt;
      };
      const delays = await Promise.all([a, b].map(servedAfter));
      // The bound under test, well inside the deadline above: one sync interval, plus a second for
      // the tick itself (reading the table, building a provider) and for the polling.
      for (const delay of delays) expect(delay).toBeLessThanOrEqual(SYNC_SECONDS * 1000 + 1000);

      // Both instances now sign with the promoted key: a fresh sign-in through B.
      const client = await container.clients.create({ client_name: 'After rotation', redirect_uris: [REDIRECT_URI] });
      const user = { email: 'after@example.com', password: 'a long enough password' };
      await container.accounts.create(user);
      for (const instance of [a, b]) {
        // The RP knows the shared issuer; every endpoint is pointed at this instance.
        const config = await discoverVia(issuer, instance, client.client_id, client.client_secret);
        // The browser signs in at the issuer's address (the provider's redirects always name the
        // issuer); the code is redeemed, and the ID token signed, at this instance.
        const start = await startAuthorization(await discover(issuer, client.client_id, client.client_secret));
        const tokens = await exchange(config, await signIn(new TestBrowser(issuer), start, user), start);
        expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(next);
      }
    } finally {
      await container.close();
    }
  });
});

/** The same cookie jar, pointed at another origin on the same host. */
class TestBrowserFrom extends TestBrowser {
  constructor(from: TestBrowser, origin: string) {
    super(origin);
    for (const [name, cookie] of from.cookies) this.cookies.set(name, cookie);
  }
}
