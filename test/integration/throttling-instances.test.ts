// Brute force against two instances behind one issuer on one PostgreSQL database, requests
// alternating between them as a round-robin load balancer would send them: the failure counts are
// shared, so the account locks at its 5th failure overall (not at each instance's 5th).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { startInstance, stopInstance, type Instance } from '../helpers/instances.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { TEST_SECRETS } from '../helpers/sesame.js';

const LOCKOUT_SECONDS = 3;
const VICTIM = { email: 'victim@example.com', password: 'the right password, at last' };
const OTHER = { email: 'other@example.com', password: 'someone else entirely' };

describe.runIf(TEST_DATABASE_URL)('brute force against two instances on PostgreSQL', () => {
  let db: TestDatabase;
  let front: RoundRobinProxy;
  let instances: Instance[] = [];
  /** The shared issuer: a front that forwards to A (each step below names the instance it uses). */
  let issuer: string;
  let origins: [string, string];
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    front = await startRoundRobinProxy();
    issuer = front.url;
    const env = {
      DATABASE_URL: db.url,
      ...TEST_SECRETS,
      ISSUER: issuer,
      LOGIN_MAX_FAILURES: '5',
      LOCKOUT: `${LOCKOUT_SECONDS}s`,
      LOCKOUT_MAX: `${LOCKOUT_SECONDS}s`,
    };
    instances = await Promise.all([startInstance(env), startInstance(env)]);
    origins = instances.map((instance) => instance.url) as [string, string];
    front.route([origins[0]]);

    const container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS }), silentLogger);
    await container.accounts.create(VICTIM);
    await container.accounts.create(OTHER);
    const client = await container.clients.create({ client_name: 'Shared app', redirect_uris: [REDIRECT_URI] });
    clientId = client.client_id;
    clientSecret = client.client_secret!;
    await container.close();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await front?.close();
    await db?.drop();
  });

  /** The login page of a new sign-in, served by instance `i`. */
  async function loginPage(browser: TestBrowser, i: 0 | 1): Promise<Page> {
    const start = await startAuthorization(await discover(issuer, clientId, clientSecret));
    const page = await browser.request(start.url.toString().replace(issuer, origins[i]));
    expect(page.html).toContain('name="password"');
    return page;
  }

  /** Posts the login form of `page` to instance `i` (both read the interaction from the database). */
  function post(browser: TestBrowser, page: Page, i: 0 | 1, credentials: { email: string; password: string }): Promise<Page> {
    const url = new URL(page.url);
    return browser.submit({ ...page, url: `${origins[i]}${url.pathname}${url.search}` }, '/login', credentials);
  }

  /** Past the password: on to consent, or back to the provider to resume (on the issuer's instance). */
  const signedIn = (p: Page) => p.html.includes('/confirm') || p.url.startsWith(REDIRECT_URI) || (p.status === 303 && p.url.includes('/auth/'));

  it('locks the account within the first 10 of 50 wrong passwords, counted across both instances', async () => {
    const attacker = new TestBrowser(origins[0]);
    let page = await loginPage(attacker, 0);
    const statuses: number[] = [];
    /** When the last refused guess was sent: its Retry-After counts from a moment after. */
    let lastSentAt = 0;
    for (let i = 0; i < 50; i++) {
      lastSentAt = Date.now();
      page = await post(attacker, page, (i % 2) as 0 | 1, { email: VICTIM.email, password: `guess number ${i}` });
      statuses.push(page.status);
      if (i === 10) {
        // Another account signs in meanwhile, from the same address, on the other instance.
        const other = new TestBrowser(origins[1]);
        expect(signedIn(await post(other, await loginPage(other, 1), 1, OTHER))).toBe(true);
        // The right password is refused on both instances during the lockout.
        for (const i of [0, 1] as const) expect((await post(attacker, page, i, VICTIM)).status).toBe(429);
      }
    }
    // Shared counts: the 5th failure overall locks (A saw failures 1, 3, 5; B saw 2 and 4).
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual(Array(46).fill(429));
    expect(page.html).toContain('Too many attempts.');

    // The lock ends when Retry-After said, not before: the right password, tried on B every 200 ms,
    // is refused until then and gets in at once after.
    const retryAfterMs = Number(page.headers.get('retry-after')) * 1000;
    expect(retryAfterMs).toBeGreaterThan(0);
    let after = await post(attacker, page, 1, VICTIM);
    while (!signedIn(after)) {
      expect(after.status).toBe(429);
      expect(Date.now() - lastSentAt, 'still locked after its Retry-After').toBeLessThan(retryAfterMs + 2000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await post(attacker, page, 1, VICTIM);
    }
    // Retry-After is the lock's remaining time rounded up to a second.
    expect(Date.now() - lastSentAt).toBeGreaterThan(retryAfterMs - 1000);
  });
});
