// Key events end to end, on every database this run covers: webhook receivers (plain HTTP servers
// in this process) get each key change as a CloudEvent in a compact JWS and verify it against
// Sesame's own /jwks with jose's createRemoteJWKSet; a receiver that fails gets the event again
// after the backoff, and one that keeps failing ends up failed; the CLI, the admin API and the
// metrics show it; two workers on one database send each event to each receiver once; a sender
// that died mid-attempt leaves a lease after which another takes over.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactVerify, createRemoteJWKSet, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { SYSTEM } from '../../src/domain/audit/actions.js';
import { createActiveKeySigner } from '../../src/domain/keys/event-signer.js';
import { startKeyEventDelivery, type KeyEventDelivery } from '../../src/domain/keys/key-event-delivery.js';
import type { KeyCloudEvent } from '../../src/domain/keys/key-events.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { TestBrowser } from '../helpers/browser.js';
import { discover } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';
import { within } from '../helpers/within.js';

interface Received {
  path: string;
  contentType: string | undefined;
  body: string;
  /** The event id, read from the JWS payload without verifying (the receiver's own bookkeeping). */
  id: string;
  at: number;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as KeyCloudEvent;

/** A webhook receiver: answers each request with `status(request, how many times this event came before)`. */
async function startReceiver(status: (path: string, seenBefore: number) => number = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const id = payloadOf(body).id;
      const path = req.url ?? '';
      const seenBefore = received.filter((r) => r.id === id && r.path === path).length;
      received.push({ path, contentType: req.headers['content-type'], body, id, at: Date.now() });
      res.statusCode = status(path, seenBefore);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** /metrics shows these lines (an attempt is counted just after its outcome is stored: soon, not at once). */
async function metricsShow(s: TestSesame, lines: string[]): Promise<void> {
  let text = '';
  try {
    await within(5000, async () => {
      text = await (await fetch(new URL('/metrics', s.issuer))).text();
      return lines.every((line) => text.includes(line));
    });
  } catch {
    for (const line of lines) expect(text).toContain(line);
  }
}

describe.each(PROVIDERS)('key events on %s', (provider) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function receiver(status?: (path: string, seenBefore: number) => number): Promise<Receiver> {
    const r = await startReceiver(status);
    cleanups.push(() => r.close());
    return r;
  }

  async function sesame(env: Record<string, string>, db?: TestDatabase): Promise<TestSesame> {
    const s = await startTestSesame({ provider, env, ...(db ? { db } : {}) });
    cleanups.push(() => s.close());
    return s;
  }

  it('a receiver gets every key change of a rotation as a CloudEvent whose JWS verifies against /jwks', async () => {
    const hooks = await receiver();
    const s = await sesame({ KEY_EVENTS_WEBHOOK_URL: `${hooks.url}/keys` });
    // Start-up created the first active and next keys: two events.
    await within(5000, async () => hooks.received.length === 2);
    const before = await s.container.keys.list();
    await s.container.keys.rotate({ force: true });
    await within(5000, async () => hooks.received.length === 5);
    const after = await s.container.keys.list();
    const activeNow = after.find((k) => k.state === 'active')!;

    const jwks = createRemoteJWKSet(new URL('/jwks', s.issuer));
    const events: KeyCloudEvent[] = [];
    for (const message of hooks.received) {
      expect(message.contentType).toBe('application/jose');
      expect(message.path).toBe('/keys');
      const { payload, protectedHeader } = await compactVerify(message.body, jwks, { algorithms: ['RS256'] });
      expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'cloudevents+json' });
      expect([before.find((k) => k.state === 'active')!.kid, activeNow.kid]).toContain(protectedHeader.kid);
      events.push(JSON.parse(new TextDecoder().decode(payload)) as KeyCloudEvent);
    }
    // Signed after the rotation: with the key that is active now.
    expect(decodeProtectedHeader(hooks.received.at(-1)!.body).kid).toBe(activeNow.kid);

    const rotation = events.slice(2);
    const retired = before.find((k) => k.state === 'active')!;
    const next = before.find((k) => k.state === 'next')!;
    const created = after.find((k) => k.state === 'next')!;
    const byType = (type: string) => rotation.find((e) => e.type === type);
    expect(rotation.map((e) => e.type).sort()).toEqual(['dev.sesame.key.activated', 'dev.sesame.key.created', 'dev.sesame.key.retired']);
    expect(byType('dev.sesame.key.activated')).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: s.issuer,
      type: 'dev.sesame.key.activated',
      time: expect.any(String),
      subject: next.kid,
      datacontenttype: 'application/json',
      data: { kid: next.kid, alg: 'RS256', state: 'active', reason: expect.any(String), by: 'system', forced: true },
    });
    expect(byType('dev.sesame.key.retired')!.data).toMatchObject({ kid: retired.kid, state: 'retired' });
    expect(byType('dev.sesame.key.created')!.data).toMatchObject({ kid: created.kid, state: 'next' });
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    // Nothing secret: no private key member anywhere in what was sent.
    expect(JSON.stringify(events)).not.toMatch(/"(d|p|q|dp|dq|qi|k|priv)":/);

    await metricsShow(s, [
      'sesame_key_events_total{type="key.activated"} 1',
      'sesame_key_events_total{type="key.created"} 3',
      'sesame_key_event_deliveries_total{outcome="delivered"} 5',
    ]);
  });

  it('retries a failing receiver after the backoff, gives up after the last attempt, and lists both', async () => {
    const hooks = await receiver((path, seenBefore) => (path.startsWith('/broken') ? 503 : seenBefore === 0 ? 500 : 200));
    const db = await createTestDatabase(provider);
    cleanups.push(() => db.drop());
    const s = await startTestSesame({
      provider,
      db,
      // ES256: its keys are made in a moment (this test is about delivery, not the algorithm).
      env: { KEY_EVENTS_WEBHOOK_URL: `${hooks.url}/flaky?token=receiver-secret,${hooks.url}/broken`, KEY_EVENTS_RETRY_DELAYS: '1s', SIGNING_ALGS: 'ES256' },
    });
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await s.close();
    });

    // First attempts fail (500, 503): each delivery waits for its retry, and is listed as failing.
    let waiting = await s.container.keyEvents.list({ failing: true });
    await within(5000, async () => {
      waiting = await s.container.keyEvents.list({ failing: true });
      return waiting.length === 2 && waiting.every((e) => e.deliveries.every((d) => d.state === 'pending'));
    });
    for (const event of waiting) {
      for (const d of event.deliveries) {
        expect(d).toMatchObject({ state: 'pending', attempts: 1, last_error: expect.stringMatching(/^HTTP 50[03]$/) });
        expect(Date.parse(d.next_attempt_at!) - Date.parse(d.last_attempt_at!)).toBeGreaterThanOrEqual(1000);
      }
    }

    // A second later: the flaky receiver has them; the broken one had its last attempt.
    const settled = async () => (await s.container.keyEvents.list()).every((e) => e.deliveries.every((d) => d.state === 'delivered' || d.state === 'failed'));
    await within(5000, settled);
    const retriedAfter = hooks.received.filter((r) => r.path.startsWith('/flaky')).map((r) => r.at);
    expect(retriedAfter[2]! - retriedAfter[0]!).toBeGreaterThanOrEqual(900);
    const events = await s.container.keyEvents.list();
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event.deliveries).toEqual([
        expect.objectContaining({
          receiver: `${hooks.url}/broken`,
          state: 'failed',
          attempts: 2,
          last_status: 503,
          last_error: 'HTTP 503',
          next_attempt_at: null,
        }),
        // The query (it may hold a token) is never shown.
        expect.objectContaining({
          receiver: `${hooks.url}/flaky?…`,
          state: 'delivered',
          attempts: 2,
          last_status: 200,
          last_error: null,
          next_attempt_at: null,
        }),
      ]);
    }
    await metricsShow(s, [
      'sesame_key_event_deliveries_total{outcome="retrying"} 4',
      'sesame_key_event_deliveries_total{outcome="delivered"} 2',
      'sesame_key_event_deliveries_total{outcome="failed"} 2',
    ]);

    // The admin API lists the same.
    const admin = await s.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    const token = (await oidc.clientCredentialsGrant(await discover(s.issuer, admin.client_id, admin.client_secret), { scope: 'admin' })).access_token;
    const api = await fetch(new URL('/admin/api/v1/keys/events?failed=true&limit=1', s.issuer), { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { items: { id: string; deliveries: { state: string }[] }[] };
    expect(body.items).toHaveLength(1);
    expect(body.items[0]!.id).toBe(events[0]!.id);
    expect(body.items[0]!.deliveries.map((d) => d.state)).toEqual(['failed', 'delivered']);
    const bad = await fetch(new URL('/admin/api/v1/keys/events?limit=0', s.issuer), { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(422);

    // The console's page, for an admin.
    const ADMIN = { email: 'root@example.com', password: 'administrators only please', isAdmin: true, emailVerified: true };
    await s.container.accounts.create(ADMIN);
    const browser = new TestBrowser(s.issuer);
    let page = await browser.request('/admin/keys/events?failed=true');
    page = await browser.submit(page, '/login', { email: ADMIN.email, password: ADMIN.password });
    if (page.html.includes('/confirm')) page = await browser.submit(page, '/confirm');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Key events</h1>');
    expect(page.html).toContain(`${hooks.url}/broken</span> <span class="state state-revoked">failed</span>`);
    expect(page.html).toContain('2 attempts, last: HTTP 503');
    expect(page.html).not.toContain('receiver-secret');
    expect((await browser.request('/admin/keys')).html).toContain('href="/admin/keys/events"');

    // The CLI, on the same database once the server has stopped.
    closed = true;
    await s.close();
    const cli = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: { NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS },
      });
      return { code, stdout, stderr };
    };
    const human = await cli(['keys', 'events']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^TIME +EVENT +KID +STATE +BY +RECEIVER +DELIVERY +ATTEMPTS +LAST +NEXT ATTEMPT\n/);
    expect(human.stdout).toContain('key.created');
    expect(human.stdout).toMatch(/\/broken +failed +2 +HTTP 503/);
    expect(human.stdout).toMatch(/\/flaky\?… +delivered +2 +200/);
    expect(human.stdout).not.toContain('receiver-secret');
    const failing = await cli(['keys', 'events', '--failed', '--json']);
    expect(failing.code, failing.stderr).toBe(0);
    expect((JSON.parse(failing.stdout) as unknown[]).length).toBe(2);
    const limited = await cli(['keys', 'events', '--limit', '1', '--json']);
    expect((JSON.parse(limited.stdout) as unknown[]).length).toBe(1);
    expect((await cli(['keys', 'events', '--help'])).stdout).toContain('--failed');
    expect((await cli(['help'])).stdout).toContain('keys events [--failed] [--limit N]');
    const refused = await cli(['keys', 'events', '--limit', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('sesame: keys events: --limit must be a whole number from 1 to 500\n');
  });

  describe('delivery workers', () => {
    async function containers(count: number): Promise<Container[]> {
      const db = await createTestDatabase(provider);
      cleanups.push(() => db.drop());
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS, SIGNING_ALGS: 'ES256' });
      // Two connections to one SQLite file in one process would block each other (better-sqlite3
      // waits synchronously): there, both workers share one container.
      const made: Container[] = [];
      for (let i = 0; i < (provider === 'postgresql' ? count : 1); i++) {
        const c = await createContainer(config, silentLogger);
        cleanups.push(() => c.close());
        made.push(c);
      }
      await made[0]!.keys.ensureKeys();
      return Array.from({ length: count }, (_, i) => made[i % made.length]!);
    }

    function worker(c: Container, receivers: string[], dispatched: string[] = []): KeyEventDelivery {
      const w = startKeyEventDelivery({
        outbox: c.keyEvents.outbox,
        signer: createActiveKeySigner(c.keys, 'ES256'),
        config: { receivers, retryDelays: [1000], timeout: 2000 },
        log: silentLogger,
        pollIntervalMs: 20,
        leaseMarginMs: 0,
        dispatched: (type) => dispatched.push(type),
      });
      cleanups.push(() => w.stop());
      return w;
    }

    it('two workers on one database send each event to each receiver once, and count it once', async () => {
      const hooks = await receiver();
      const [a, b] = await containers(2);
      for (let i = 0; i < 8; i++) {
        await a!.keyEvents.record(SYSTEM, { action: 'key.retired', target: `key:k${i}`, details: { kid: `k${i}`, alg: 'ES256', reason: 'test' } });
      }
      const receivers = [`${hooks.url}/one`, `${hooks.url}/two`];
      const dispatched: string[] = [];
      worker(a!, receivers, dispatched);
      worker(b!, receivers, dispatched);
      // 2 created at start-up + 8 = 10 events, 2 receivers.
      await within(10_000, async () => hooks.received.length >= 20);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(hooks.received).toHaveLength(20);
      expect(new Set(hooks.received.map((r) => `${r.id} ${r.path}`)).size).toBe(20);
      expect(dispatched.sort()).toEqual([...Array<string>(2).fill('key.created'), ...Array<string>(8).fill('key.retired')]);
      const states = async () => (await a!.keyEvents.list({ limit: 50 })).flatMap((e) => e.deliveries);
      await within(5000, async () => (await states()).every((d) => d.state === 'delivered'));
      const events = await a!.keyEvents.list({ limit: 50 });
      expect(events.flatMap((e) => e.deliveries.map((d) => [d.state, d.attempts]))).toEqual(Array(20).fill(['delivered', 1]));
    });

    it('takes over an attempt whose sender died once its lease has run out', async () => {
      const hooks = await receiver();
      const [c] = await containers(1);
      const { outbox } = c!.keyEvents;
      const [event] = await outbox.undispatched(1);
      await outbox.dispatch(event!.id, [`${hooks.url}/late`], new Date());
      // A worker claims the delivery and dies before it sends: nobody may send it until the lease ends.
      const [due] = await outbox.due([`${hooks.url}/late`], new Date(), 1);
      const leaseEnds = Date.now() + 400;
      expect(await outbox.claim(due!, new Date(), new Date(leaseEnds))).toEqual({ eventId: event!.id, receiver: `${hooks.url}/late`, attempts: 1 });
      expect(await outbox.claim(due!, new Date(), new Date(leaseEnds))).toBeNull();
      worker(c!, [`${hooks.url}/late`]);
      await within(5000, async () => hooks.received.some((r) => r.id === event!.id));
      const sent = hooks.received.filter((r) => r.id === event!.id);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.at).toBeGreaterThanOrEqual(leaseEnds);
      // The outcome is written once the receiver has answered.
      const delivery = async () => (await c!.keyEvents.list()).find((e) => e.id === event!.id)!.deliveries;
      await within(5000, async () => (await delivery())[0]!.state === 'delivered');
      expect(await delivery()).toEqual([expect.objectContaining({ state: 'delivered', attempts: 2 })]);
    });
  });
});
