// Graceful shutdown of the real process (`node dist/src/main.js`): on SIGTERM the requests in
// flight finish with their normal answer, nothing new gets in, and the process exits 0; a request
// that outlives SHUTDOWN_TIMEOUT is cut and the process still exits; a second signal stops at once.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { silentLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { createTestDatabase, PROVIDERS, type Provider, type TestDatabase } from '../helpers/databases.js';
import { startInstance } from '../helpers/instances.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { TEST_SECRETS } from '../helpers/sesame.js';

const USER = { email: 'drain@example.com', password: 'requests in flight must finish', name: 'Drain' };
const SIGN_INS = 20;

interface Instance {
  child: ChildProcess;
  port: number;
  issuer: string;
  /** Log lines (JSON) the process printed since it started listening. */
  lines: string[];
  exited: Promise<number | null>;
}

async function startLogged(db: TestDatabase, env: Record<string, string> = {}): Promise<Instance> {
  // Without ISSUER, the instance's issuer is the address it reports.
  const { child, port, url } = await startInstance({ DATABASE_URL: db.url, ...TEST_SECRETS, LOG_LEVEL: 'info', ...env });
  const lines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, port, issuer: url, lines, exited };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw connection that has sent `head` and collects everything the server sends back. */
async function rawConnection(port: number, head: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => {}); // a reset is one of the outcomes under test
  const closed = once(socket, 'close').then(() => undefined);
  socket.write(head);
  return { socket, received: () => data, closed };
}

/** Headers of a /token request whose body never completes: in flight until the server gives up. */
const STALLED_TOKEN_REQUEST =
  'POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n' + 'Content-Length: 100\r\nExpect: 100-continue\r\n\r\n';

/** Starts a request the server has accepted (it answered 100 Continue) that never finishes. */
async function stalledRequest(port: number) {
  const connection = await rawConnection(port, STALLED_TOKEN_REQUEST);
  await until(() => connection.received().startsWith('HTTP/1.1 100 Continue'), '100 Continue');
  connection.socket.write('grant_type=');
  return connection;
}

interface Answer {
  status: number;
  location: string | undefined;
  connection: string | undefined;
  /** When it arrived (ms). */
  at: number;
}

describe.each(PROVIDERS)(`SIGTERM with ${SIGN_INS} sign-ins in flight on %s`, (provider: Provider) => {
  let db: TestDatabase;
  let instance: Instance | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => {
    if (instance?.child.exitCode === null) instance.child.kill('SIGKILL');
    await db?.drop();
  });

  it('lets every sign-in finish with its normal answer, takes nothing new, and exits 0', async () => {
    const container = await createContainer(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, ...TEST_SECRETS }), silentLogger);
    await container.accounts.create({ ...USER, emailVerified: true });
    const client = await container.clients.create({ client_name: 'Drain', redirect_uris: [REDIRECT_URI] });
    await container.close();
    instance = await startLogged(db);
    const { issuer, port } = instance;

    // Twenty people on the login page, each with their own cookies and form.
    const config = await discover(issuer, client.client_id, client.client_secret);
    const forms = await Promise.all(
      Array.from({ length: SIGN_INS }, async () => {
        const browser = new TestBrowser(issuer);
        const page = await browser.request((await startAuthorization(config)).url.toString());
        const { action, fields } = browser.form(page, '/login', { email: USER.email, password: USER.password });
        return { action, body: new URLSearchParams(fields).toString(), cookie: browser.cookieHeader(new URL(action)) };
      }),
    );

    // An idle keep-alive connection, as a load balancer or a browser keeps them.
    const idle = await rawConnection(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await until(() => idle.received().includes('{"status":"ok"}'), 'the /healthz answer');

    // Each sign-in asks for 100 Continue: the server answers it once it has the request, so when
    // all twenty have it, all twenty are in flight. Their forms are sent only once the shutdown
    // has begun, so every one of them is read, checked (argon2id) and answered during the drain.
    const agent = new Agent({ keepAlive: true, maxSockets: SIGN_INS });
    const posts = forms.map((form) => post(agent, form));
    await Promise.all(posts.map((p) => p.accepted));
    instance.child.kill('SIGTERM');
    await until(() => instance!.lines.some((l) => l.includes('"msg":"shutting down"')), 'the shutdown to begin');
    const bodiesAt = Date.now();
    for (const p of posts) p.sendBody();

    // After the signal: the idle connection is closed (or, if it still gets an answer, not ready),
    // and new connections are refused.
    idle.socket.write('GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await idle.closed;
    expect(idle.received()).not.toMatch(/HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 200/);
    const late = idle.received().split('HTTP/1.1 ').slice(2).join('');
    if (late) expect(late).toMatch(/^503 /);
    await expect(fetch(`http://127.0.0.1:${port}/readyz`)).rejects.toThrow();

    // Every sign-in gets its normal answer (on to /auth/:uid), with Connection: close so that
    // no client sends anything more on that connection.
    const results = await Promise.all(posts.map((p) => p.answer));
    for (const answer of results) {
      expect(answer).toMatchObject({ status: 303, connection: 'close' });
      expect(answer.location).toMatch(/\/auth\/[\w-]+$/);
    }
    const slowest = Math.max(...results.map((a) => a.at)) - bodiesAt;
    console.log(`${provider}: ${SIGN_INS} of ${SIGN_INS} sign-ins answered 303 during the drain, the last ${slowest} ms after its form was sent`);

    expect(await instance.exited).toBe(0);
    expect(instance.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(instance.lines.some((l) => l.includes('requests cut'))).toBe(false);
    agent.destroy();
  }, 60_000);
});

describe('a request that outlives the shutdown', () => {
  let db: TestDatabase;
  let instance: Instance | undefined;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterEach(() => {
    if (instance?.child.exitCode === null) instance.child.kill('SIGKILL');
  });
  afterAll(async () => db?.drop());

  it('is cut at SHUTDOWN_TIMEOUT and the process exits 0', async () => {
    instance = await startLogged(db, { SHUTDOWN_TIMEOUT: '1s' });
    const stalled = await stalledRequest(instance.port);
    const signalAt = Date.now();
    instance.child.kill('SIGTERM');
    expect(await instance.exited).toBe(0);
    const took = Date.now() - signalAt;
    await stalled.closed;
    expect(stalled.received()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(6000);
    expect(instance.lines.find((l) => l.includes('requests cut at shutdown'))).toContain('"cut":1');
  }, 30_000);

  it('is cut at once by a second signal, and the exit status says so', async () => {
    instance = await startLogged(db, { SHUTDOWN_TIMEOUT: '60s' });
    const stalled = await stalledRequest(instance.port);
    instance.child.kill('SIGTERM');
    await until(() => instance!.lines.some((l) => l.includes('"msg":"shutting down"')), 'the shutdown to begin');
    const secondAt = Date.now();
    instance.child.kill('SIGINT');
    expect(await instance.exited).toBe(1);
    expect(Date.now() - secondAt).toBeLessThan(5000);
    await stalled.closed;
    expect(instance.lines.some((l) => l.includes('second signal'))).toBe(true);
  }, 30_000);
});

interface Post {
  /** Resolves once the server has the request (it answered 100 Continue). */
  accepted: Promise<void>;
  /** Sends the form fields (after `accepted`). */
  sendBody(): void;
  answer: Promise<Answer>;
}

function post(agent: Agent, form: { action: string; body: string; cookie: string }): Post {
  const url = new URL(form.action);
  let accepted!: Promise<void>;
  let sendBody!: () => void;
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(form.body),
          cookie: form.cookie,
          origin: url.origin,
          expect: '100-continue',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            location: res.headers.location,
            connection: res.headers.connection,
            at: Date.now(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    sendBody = () => req.end(form.body);
    accepted = new Promise((resolve) => req.once('continue', () => resolve()));
  });
  return { accepted, sendBody, answer };
}
