// The request log: one line per request with its route, status, duration and request id (ours
// and the provider's alike), the id returned on every response and carried by every line logged
// while the request ran, an unexpected error logged with its stack, and nothing secret in any
// line: no query strings, Authorization headers, cookies or form fields.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  method?: string;
  route?: string;
  status?: number;
  ms?: number;
  err?: { message: string; stack?: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

describe('request log', () => {
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  const requestLine = (requestId: string) => lines().find((l) => l.msg === 'request' && l.requestId === requestId);
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ log: createLogger('debug', (line) => raw.push(line)) });
  });
  afterAll(async () => sesame?.close());

  it('logs one line per request of ours with the route pattern, status, duration and the request id it was sent', async () => {
    const response = await fetch(`${sesame.issuer}/interaction/some-uid`, { headers: { 'x-request-id': 'trace-42/a' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('trace-42/a');
    expect(lines().filter((l) => l.requestId === 'trace-42/a' && l.msg === 'request')).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        msg: 'request',
        requestId: 'trace-42/a',
        method: 'GET',
        route: '/interaction/:uid',
        status: 400,
        ms: expect.any(Number),
      },
    ]);
  });

  it("names the provider's routes by their names, makes an id when none or a bad one is sent, and logs no query, header or form secret", async () => {
    const discovery = await fetch(`${sesame.issuer}/.well-known/openid-configuration?code=SECRET-CODE&access_token=SECRET-QUERY-TOKEN`, {
      headers: { authorization: 'Bearer SECRET-BEARER', cookie: '_session=SECRET-COOKIE', 'x-request-id': `bad id with spaces` },
    });
    expect(discovery.status).toBe(200);
    const id = discovery.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    expect(requestLine(id)).toMatchObject({ method: 'GET', route: 'discovery', status: 200 });

    const token = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'x'.repeat(200) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'SECRET-FORM-CODE', client_id: 'nobody', client_secret: 'SECRET-FORM-SECRET' }),
    });
    expect(token.status).toBe(401);
    expect(token.headers.get('x-request-id')).toMatch(UUID);
    expect(requestLine(token.headers.get('x-request-id')!)).toMatchObject({ method: 'POST', route: 'token', status: 401 });

    const unknown = await fetch(`${sesame.issuer}/no-such-page/SECRET-PATH`);
    expect(requestLine(unknown.headers.get('x-request-id')!)).toMatchObject({ route: 'unknown', status: 404 });
    expect(raw.join('')).not.toContain('SECRET');
  });

  it('does not let oidc-provider print its clientBasedCORS notice, and allows browser calls only from a public client’s origins', async () => {
    const info = vi.spyOn(console, 'info');
    try {
      const browserApp = await sesame.container.clients.create({
        client_name: 'SPA',
        redirect_uris: ['http://localhost:5173/cb'],
        token_endpoint_auth_method: 'none',
      });
      const server = await sesame.container.clients.create({ client_name: 'Server app', redirect_uris: ['http://localhost:5173/cb'] });
      const tokenCall = (origin: string, client: { client_id: string; client_secret?: string }) =>
        fetch(`${sesame.issuer}/token`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'unknown',
            redirect_uri: 'http://localhost:5173/cb',
            code_verifier: 'v'.repeat(43),
            client_id: client.client_id,
            ...(client.client_secret ? { client_secret: client.client_secret } : {}),
          }),
        });
      const allowed = await tokenCall('http://localhost:5173', browserApp);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(await allowed.json()).toMatchObject({ error: 'invalid_grant' });
      const elsewhere = await tokenCall('https://evil.example', browserApp);
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
      expect(await elsewhere.json()).toMatchObject({ error: 'invalid_request' });
      const confidential = await tokenCall('http://localhost:5173', server);
      expect(confidential.headers.get('access-control-allow-origin')).toBeNull();
      expect(await confidential.json()).toMatchObject({ error: 'invalid_request' });
      expect(info.mock.calls.flat().join('\n')).not.toContain('oidc-provider NOTICE');
    } finally {
      info.mockRestore();
    }
  });

  it('logs a forced 500 twice under one request id: the request line and the error with its stack', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Broken', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request((await startAuthorization(config)).url.toString());
    // The table behind sessions, interactions and tokens disappears under the running instance.
    await sesame.container.db.prisma.$executeRawUnsafe('DROP TABLE "oidc_payload"');

    // Our route, then the provider's.
    for (const [url, route, msg] of [
      [login.url, '/interaction/:uid', 'request failed'],
      [(await startAuthorization(config)).url.toString(), 'authorization', 'provider request failed'],
    ] as const) {
      const page = await browser.request(url);
      expect(page.status).toBe(500);
      const id = page.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      const logged = lines().filter((l) => l.requestId === id);
      expect(logged.map((l) => [l.level, l.msg])).toEqual([
        ['error', msg],
        ['info', 'request'],
      ]);
      expect(logged[0]!.err!.stack).toMatch(STACK_FRAME);
      expect(logged[1]).toMatchObject({ route, status: 500 });
    }
  });
});
