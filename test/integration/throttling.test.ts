// Brute-force protection, end to end against the real HTTP server on both databases: sign-in
// lockouts per account and per address (unknown emails exactly like real ones), admin unlock, and
// the secret checks at /token, the admin API, /reg and /metrics. Sources are told apart through
// a trusted proxy (TRUST_PROXY=1), as behind a load balancer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { advanceClock, restoreClock, useTestClock } from '../helpers/clock.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const LOCKOUT_SECONDS = 2;
const ENV = {
  TRUST_PROXY: '1',
  LOGIN_MAX_FAILURES: '5',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '12',
  CLIENT_MAX_FAILURES: '3',
  TOKEN_MAX_FAILURES_PER_ADDRESS: '6',
  LOCKOUT: `${LOCKOUT_SECONDS}s`,
  LOCKOUT_MAX: '4s',
  METRICS_TOKEN: 'metrics-token-0123456789abcdef',
};
const ADA = { email: 'ada@example.com', password: 'correct horse battery staple' };
const BOB = { email: 'bob@example.com', password: 'another correct password' };

let nextAddress = 1;
/** A fresh client address for each scenario, so scenarios never share an address's count. */
const address = () => `203.0.113.${nextAddress++}`;

describe.each(PROVIDERS)('throttling on %s', (provider) => {
  let sesame: TestSesame;
  let clientId: string;
  let clientSecret: string;
  let adaId: string;

  beforeAll(async () => {
    // Lockouts end on a clock the tests move on. It is in place before the instance starts: the
    // throttles keep a reference to Date.now.
    useTestClock();
    sesame = await startTestSesame({ provider, env: ENV });
    adaId = (await sesame.container.accounts.create(ADA)).id;
    await sesame.container.accounts.create(BOB);
    const client = await sesame.container.clients.create({
      client_name: 'Notes',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    clientId = client.client_id;
    clientSecret = client.client_secret!;
  });
  afterAll(async () => {
    await sesame?.close();
    restoreClock();
  });

  /** A browser behind the trusted proxy at `from`, on the login page of a new sign-in. */
  async function loginPage(from: string): Promise<{ browser: TestBrowser; page: Page }> {
    const browser = new TestBrowser(sesame.issuer, { 'x-forwarded-for': from });
    const start = await startAuthorization(await discover(sesame.issuer, clientId, clientSecret));
    const page = await browser.request(start.url.toString());
    expect(page.html).toContain('name="password"');
    return { browser, page };
  }

  /** Submits the login form `times` times with these credentials; the pages that came back. */
  async function tries(browser: TestBrowser, page: Page, credentials: { email: string; password: string }, times = 1): Promise<Page[]> {
    const pages: Page[] = [];
    let current = page;
    for (let i = 0; i < times; i++) {
      current = await browser.submit(current, '/login', credentials);
      pages.push(current);
      if (!current.html.includes('name="password"')) break; // signed in: no more form
    }
    return pages;
  }

  const signedIn = (page: Page) => (page.status === 200 ? page.html.includes('/confirm') : page.url.startsWith(REDIRECT_URI));

  async function audit(action: string) {
    return (await sesame.container.audit.list({ action, limit: 500 })).events;
  }

  it('locks an account within its first failures, refuses even the right password, and lets it in after the lockout', async () => {
    const from = address();
    const { browser, page } = await loginPage(from);
    const wrong = { email: ADA.email, password: 'wrong password' };
    const first = await tries(browser, page, wrong, 5);
    expect(first.map((p) => p.status)).toEqual([401, 401, 401, 401, 429]);
    const locked = first.at(-1)!;
    expect(locked.html).toContain('Too many attempts. Try again in 1 minute.');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.html).toContain(`value="${ADA.email}"`); // the email stays typed

    // The right password during the lockout is refused the same way, from any address.
    const [right] = await tries(browser, locked, ADA);
    expect(right!.status).toBe(429);
    const elsewhere = await loginPage(address());
    expect((await tries(elsewhere.browser, elsewhere.page, ADA))[0]!.status).toBe(429);

    // Meanwhile, another account from the same address signs in.
    const bob = await loginPage(from);
    expect(signedIn((await tries(bob.browser, bob.page, BOB))[0]!)).toBe(true);

    // 45 more wrong passwords: all refused (a failure after a lockout locks again, for longer).
    const rest = await tries(browser, right!, wrong, 45);
    expect(rest.map((p) => p.status)).toEqual(Array(45).fill(429));

    advanceClock(Number(rest.at(-1)!.headers.get('retry-after')) * 1000);
    const [after] = await tries(browser, rest.at(-1)!, ADA);
    expect(signedIn(after!)).toBe(true);

    const lockedEvents = (await audit('user.locked')).filter((e) => e.target === `user:${adaId}`);
    expect(lockedEvents.length).toBeGreaterThanOrEqual(1);
    const throttled = (await audit('login.throttled')).filter((e) => e.target === ADA.email);
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    // Both refusals of the right password: from `from`, and from the other address (the two may
    // share a millisecond, so their order in the log is not asserted).
    expect(throttled.map((e) => e.source_address)).toContain(from);
    expect(new Set(throttled.map((e) => e.source_address)).size).toBeGreaterThanOrEqual(2);

    // The same outcomes in the metrics: the five wrong passwords checked, the two sign-ins, and
    // the refusals while locked as the audit log reports them.
    const metrics = await fetch(`${sesame.issuer}/metrics`, { headers: { authorization: `Bearer ${ENV.METRICS_TOKEN}`, 'x-forwarded-for': address() } });
    const text = await metrics.text();
    expect(text).toMatch(/^sesame_sign_ins_total\{outcome="failure"\} 5$/m);
    expect(text).toMatch(/^sesame_sign_ins_total\{outcome="success"\} 2$/m);
    expect(text).toMatch(new RegExp(`^sesame_sign_ins_total\\{outcome="throttled"\\} ${throttled.length}$`, 'm'));
  });

  it('treats an unknown email exactly like a real one', async () => {
    const ghost = 'nobody-here@example.com';
    const real = await loginPage(address());
    const unknown = await loginPage(address());
    // A fresh real account: BOB has failures of his own by now? No: he only signed in.
    const realPages = await tries(real.browser, real.page, { email: BOB.email, password: 'not it' }, 7);
    const ghostPages = await tries(unknown.browser, unknown.page, { email: ghost, password: 'not it' }, 7);
    expect(ghostPages.map((p) => p.status)).toEqual(realPages.map((p) => p.status));
    const text = (p: Page) => p.html.replace(/name="csrf" value="[^"]*"|\/interaction\/[^/"]+|value="[^"]*@example\.com"/g, '');
    expect(text(ghostPages.at(-1)!)).toBe(text(realPages.at(-1)!));
    expect((await audit('login.throttled')).some((e) => e.target === ghost)).toBe(true);
    await sesame.container.signInThrottle.unlock(BOB.email);
  });

  it('locks an address that tries many accounts, and only that address', async () => {
    const from = address();
    const { browser, page } = await loginPage(from);
    const statuses: number[] = [];
    let current = page;
    for (let i = 0; i < 14; i++) {
      [current] = (await tries(browser, current, { email: `guess-${i}@example.com`, password: 'not it' })) as [Page];
      statuses.push(current.status);
    }
    expect(statuses.slice(0, 11)).toEqual(Array(11).fill(401));
    expect(statuses.slice(11)).toEqual([429, 429, 429]);
    // Another address is not affected.
    const other = await loginPage(address());
    expect((await tries(other.browser, other.page, { email: 'guess-99@example.com', password: 'not it' }))[0]!.status).toBe(401);
  });

  it('never stores what was typed into the email field when it is not an email', async () => {
    const { browser, page } = await loginPage(address());
    await tries(browser, page, { email: 'hunter2-typed-here', password: 'x'.repeat(10) });
    const failed = await audit('login.failed');
    expect(JSON.stringify(failed)).not.toContain('hunter2-typed-here');
    const rows = await sesame.container.db.prisma.rateLimit.findMany();
    expect(JSON.stringify(rows)).not.toContain('hunter2');
    expect(JSON.stringify(rows)).not.toContain(ADA.email);
  });

  it('lets an admin lift a lockout: admin API, CLI and audit', async () => {
    const lock = async () => {
      const { browser, page } = await loginPage(address());
      const pages = await tries(browser, page, { email: ADA.email, password: 'wrong again' }, 6);
      expect(pages.at(-1)!.status).toBe(429);
    };
    const canSignIn = async () => {
      const { browser, page } = await loginPage(address());
      return signedIn((await tries(browser, page, ADA))[0]!);
    };

    await lock();
    const admin = await sesame.container.clients.create({ client_name: 'ops', grant_types: ['client_credentials'], scope: 'admin' });
    const tokenResponse = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${admin.client_id}:${admin.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=admin',
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const unlocked = await fetch(`${sesame.issuer}/admin/api/v1/users/${adaId}/unlock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(unlocked.status).toBe(200);
    expect(await canSignIn()).toBe(true);
    const event = (await audit('user.unlocked')).find((e) => e.actor === `client:${admin.client_id}`);
    expect(event?.details).toMatchObject({ email: ADA.email, was_locked: true });

    await lock();
    let stdout = '';
    const code = await runCli(['users', 'unlock', ADA.email], {
      stdout: (s) => void (stdout += s),
      stderr: () => {},
      env: { NODE_ENV: 'test', DATABASE_URL: sesame.db.url, ...TEST_SECRETS },
      cwd: process.cwd(),
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`unlocked ${ADA.email}`);
    // The running server sees the CLI's unlock at once: the lock lives in the shared database.
    expect(await canSignIn()).toBe(true);
  });

  it('locks a client secret guessed from one address, not the client elsewhere', async () => {
    const token = (from: string, secret: string) =>
      fetch(`${sesame.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': from,
        },
        body: 'grant_type=client_credentials',
      });
    const attacker = address();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await token(attacker, `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const refused = await token(attacker, clientSecret);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await token(address(), clientSecret)).status).toBe(200);

    // Unknown clients from one address add up to a lock of the address at every gated endpoint.
    const prober = address();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${sesame.issuer}/token/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': prober },
        body: new URLSearchParams({ client_id: `nobody-${i}`, client_secret: 'x', token: 'y' }),
      });
      expect(res.status).toBe(401);
    }
    expect((await token(prober, clientSecret)).status).toBe(429);
    advanceClock(LOCKOUT_SECONDS * 1000);
    expect((await token(prober, clientSecret)).status).toBe(200);
  });

  it('locks an address guessing bearer tokens at the admin API, /reg and /metrics', async () => {
    for (const [path, init] of [
      ['/admin/api/v1/clients', { method: 'GET' }],
      ['/reg', { method: 'POST', body: JSON.stringify({ redirect_uris: ['https://rp.example/cb'] }) }],
      ['/metrics', { method: 'GET' }],
    ] as const) {
      const from = address();
      const statuses = [];
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${sesame.issuer}${path}`, {
          ...init,
          headers: { authorization: `Bearer guessed-token-${i}`, 'content-type': 'application/json', 'x-forwarded-for': from },
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 6), path).toEqual(Array(6).fill(401));
      expect(statuses.slice(6), path).toEqual([429, 429]);
    }
    // The right metrics token from elsewhere still works.
    const metrics = await fetch(`${sesame.issuer}/metrics`, { headers: { authorization: `Bearer ${ENV.METRICS_TOKEN}`, 'x-forwarded-for': address() } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('sesame_http_request_duration_seconds_count');
  });
});

describe('a flood of sign-in posts', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame({ env: { TRUST_PROXY: '1', PASSWORD_HASH_CONCURRENCY: '1' } });
  });
  afterAll(async () => sesame?.close());

  it('is bounded: a few hashes at a time, the rest refused with 503 at once, the token endpoint still answers', async () => {
    const client = await sesame.container.clients.create({
      client_name: 'Flooded',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(await discover(sesame.issuer, client.client_id, client.client_secret));
    const page = await browser.request(start.url.toString());
    // Every post from its own address and for its own email, so no lockout gets in the way.
    const posts = Array.from({ length: 120 }, (_, i) => {
      const flooder = new TestBrowser(sesame.issuer, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      for (const [name, cookie] of browser.cookies) flooder.cookies.set(name, cookie); // the same interaction
      return flooder.submit(page, '/login', { email: `flood-${i}@example.com`, password: 'not the password' });
    });
    const token = fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const pages = await Promise.all(posts);
    expect((await token).status).toBe(200);
    const statuses = new Set(pages.map((p) => p.status));
    expect(
      [...statuses].every((s) => s === 401 || s === 503),
      [...statuses].join(),
    ).toBe(true);
    expect(pages.filter((p) => p.status === 503).length).toBeGreaterThan(0);
    const busy = pages.find((p) => p.status === 503)!;
    expect(busy.html).toContain('Sesame is busy');
    expect(busy.headers.get('retry-after')).toBe('2');
  });
});
