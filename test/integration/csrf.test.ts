import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_COOKIE, csrfToken, verifyCsrf } from '../../src/http/middleware/csrf.js';

let server: Server;
let base: string;
let processed = 0;

beforeAll(async () => {
  const app = new Koa();
  app.keys = ['csrf-test-key-0123456789abcdef0123456789'];
  app.silent = true;
  const router = new Router();
  router.get('/form', (ctx) => {
    ctx.body = { token: csrfToken(ctx) };
  });
  router.post('/form', bodyParser({ enableTypes: ['form', 'json'], formLimit: '16kb', jsonLimit: '16kb' }), verifyCsrf(), (ctx) => {
    processed += 1;
    ctx.body = 'ok';
  });
  app.use(router.routes());
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

/** name=value pairs from Set-Cookie headers (attributes dropped). */
function cookieJar(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const header of res.headers.getSetCookie()) {
    const pair = header.split(';')[0]!;
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

async function getForm(cookie?: string): Promise<{ token: string; jar: Map<string, string>; res: Response }> {
  const res = await fetch(`${base}/form`, { headers: cookie ? { cookie } : {} });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  return { token, jar: cookieJar(res), res };
}

async function post(body: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(`${base}/form`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(body).toString(),
  });
}

async function expectRejected(res: Response): Promise<void> {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(await res.text()).toContain('This form has expired. Go back and try again.');
}

describe('signed double-submit CSRF', () => {
  it('GET sets a signed, httpOnly, SameSite=Lax cookie holding a 32-byte token, and reuses it', async () => {
    const { token, jar, res } = await getForm();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(jar.get(CSRF_COOKIE)).toBe(token);
    expect(jar.get(`${CSRF_COOKIE}.sig`)).toBeTruthy();
    const header = res.headers.getSetCookie().find((c) => c.startsWith(`${CSRF_COOKIE}=`))!;
    expect(header).toMatch(/;\s*path=\//i);
    expect(header).toMatch(/;\s*httponly/i);
    expect(header).toMatch(/;\s*samesite=lax/i);
    expect(header).not.toMatch(/;\s*secure/i); // plain http here

    const again = await getForm(cookieHeader(jar));
    expect(again.token).toBe(token);
    expect(again.res.headers.getSetCookie()).toHaveLength(0);
  });

  it('accepts a POST whose field matches the cookie (form and JSON bodies)', async () => {
    const { token, jar } = await getForm();
    const before = processed;
    const res = await post({ csrf: token, other: 'x' }, cookieHeader(jar));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');

    const json = await fetch(`${base}/form`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookieHeader(jar) },
      body: JSON.stringify({ csrf: token }),
    });
    expect(json.status).toBe(200);
    expect(processed).toBe(before + 2);
  });

  it('rejects a POST without the token, and processes nothing', async () => {
    const { jar } = await getForm();
    const before = processed;
    await expectRejected(await post({ email: 'a@b.c' }, cookieHeader(jar)));
    await expectRejected(await post({ csrf: '' }, cookieHeader(jar)));
    expect(processed).toBe(before);
  });

  it('rejects a POST with the token but no cookie', async () => {
    const { token } = await getForm();
    const before = processed;
    await expectRejected(await post({ csrf: token }));
    expect(processed).toBe(before);
  });

  it("rejects a token that belongs to another browser's cookie", async () => {
    const alice = await getForm();
    const mallory = await getForm();
    expect(alice.token).not.toBe(mallory.token);
    await expectRejected(await post({ csrf: mallory.token }, cookieHeader(alice.jar)));
  });

  it('rejects a planted cookie without a valid signature', async () => {
    const { jar } = await getForm();
    const planted = 'A'.repeat(43);
    // Attacker-chosen cookie value, no signature.
    await expectRejected(await post({ csrf: planted }, `${CSRF_COOKIE}=${planted}`));
    // Attacker-chosen value with someone else's signature.
    await expectRejected(await post({ csrf: planted }, `${CSRF_COOKIE}=${planted}; ${CSRF_COOKIE}.sig=${jar.get(`${CSRF_COOKIE}.sig`)}`));
  });

  it('rejects a token of a different length without throwing', async () => {
    const { token, jar } = await getForm();
    await expectRejected(await post({ csrf: `${token}x` }, cookieHeader(jar)));
    await expectRejected(await post({ csrf: token.slice(1) }, cookieHeader(jar)));
  });
});
