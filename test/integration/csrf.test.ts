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

/** The test app's "session": an unsigned cookie naming it, standing in for the interaction or console session. */
const SESSION = 'test.session';
const binding = (ctx: Koa.Context) => {
  const session = ctx.cookies.get(SESSION);
  return session ? `session:${session}` : undefined;
};

beforeAll(async () => {
  const app = new Koa();
  app.keys = ['csrf-test-key-0123456789abcdef0123456789'];
  app.silent = true;
  const router = new Router();
  router.get('/form', (ctx) => {
    ctx.body = { token: csrfToken(ctx, binding(ctx) ?? 'session:none') };
  });
  router.post('/form', bodyParser({ enableTypes: ['form', 'json'], formLimit: '16kb', jsonLimit: '16kb' }), verifyCsrf(binding), (ctx) => {
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

function cookieHeader(jar: Map<string, string>, session?: string): string {
  return [...jar, ...(session ? [[SESSION, session] as const] : [])].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** A browser with its own CSRF secret, signed in to `session`, holding the form's token. */
async function getForm(session: string, cookie?: string): Promise<{ token: string; jar: Map<string, string>; res: Response; session: string }> {
  const res = await fetch(`${base}/form`, { headers: { cookie: cookie ?? `${SESSION}=${session}` } });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  return { token, jar: cookieJar(res), res, session };
}

async function post(body: Record<string, string>, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/form`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
    body: new URLSearchParams(body).toString(),
  });
}

async function expectRejected(res: Response, message = 'This form has expired. Go back and try again.'): Promise<void> {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(await res.text()).toContain(message);
}

describe('CSRF tokens bound to the session', () => {
  it('GET sets a signed, httpOnly, SameSite=Lax cookie with a 32-byte secret; the token is bound to the session', async () => {
    const { token, jar, res } = await getForm('alice-session');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const secret = jar.get(CSRF_COOKIE)!;
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(token).not.toBe(secret); // the page never shows the cookie's secret
    expect(jar.get(`${CSRF_COOKIE}.sig`)).toBeTruthy();
    const header = res.headers.getSetCookie().find((c) => c.startsWith(`${CSRF_COOKIE}=`))!;
    expect(header).toMatch(/;\s*path=\//i);
    expect(header).toMatch(/;\s*httponly/i);
    expect(header).toMatch(/;\s*samesite=lax/i);
    expect(header).not.toMatch(/;\s*secure/i); // plain http here

    const again = await getForm('alice-session', cookieHeader(jar, 'alice-session'));
    expect(again.token).toBe(token);
    expect(again.res.headers.getSetCookie()).toHaveLength(0);
    const otherSession = await getForm('another-session', cookieHeader(jar, 'another-session'));
    expect(otherSession.token).not.toBe(token);
  });

  it('accepts a POST whose token fits the cookie and the session (form and JSON bodies)', async () => {
    const { token, jar, session } = await getForm('s1');
    const before = processed;
    const res = await post({ csrf: token, other: 'x' }, cookieHeader(jar, session));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');

    const json = await fetch(`${base}/form`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookieHeader(jar, session) },
      body: JSON.stringify({ csrf: token }),
    });
    expect(json.status).toBe(200);
    expect(processed).toBe(before + 2);
  });

  it('rejects a POST without the token, or without the cookie, and processes nothing', async () => {
    const { token, jar, session } = await getForm('s2');
    const before = processed;
    await expectRejected(await post({ email: 'a@b.c' }, cookieHeader(jar, session)));
    await expectRejected(await post({ csrf: '' }, cookieHeader(jar, session)));
    await expectRejected(await post({ csrf: token }, `${SESSION}=${session}`));
    expect(processed).toBe(before);
  });

  it("rejects another browser's token", async () => {
    const alice = await getForm('alice');
    const mallory = await getForm('mallory');
    await expectRejected(await post({ csrf: mallory.token }, cookieHeader(alice.jar, alice.session)));
  });

  it("rejects a validly signed cookie and token planted into someone else's session", async () => {
    // Mallory gets a genuine cookie and token for her own (or no) session, plants the cookie in the
    // victim's browser (a sibling subdomain can) and makes it post her token.
    const mallory = await getForm('mallory-own-session');
    const before = processed;
    await expectRejected(await post({ csrf: mallory.token }, cookieHeader(mallory.jar, 'victim-session')));
    const anonymous = await getForm('none', '');
    await expectRejected(await post({ csrf: anonymous.token }, cookieHeader(anonymous.jar, 'victim-session')));
    expect(processed).toBe(before);
  });

  it('rejects a planted cookie without a valid signature', async () => {
    const { jar } = await getForm('s3');
    const planted = 'A'.repeat(43);
    await expectRejected(await post({ csrf: planted }, `${CSRF_COOKIE}=${planted}; ${SESSION}=s3`));
    await expectRejected(await post({ csrf: planted }, `${CSRF_COOKIE}=${planted}; ${CSRF_COOKIE}.sig=${jar.get(`${CSRF_COOKIE}.sig`)}; ${SESSION}=s3`));
  });

  it('rejects a token of a different length without throwing', async () => {
    const { token, jar, session } = await getForm('s4');
    await expectRejected(await post({ csrf: `${token}x` }, cookieHeader(jar, session)));
    await expectRejected(await post({ csrf: token.slice(1) }, cookieHeader(jar, session)));
  });

  it('refuses a POST the browser says came from another site or origin, even with a good token', async () => {
    const { token, jar, session } = await getForm('s5');
    const cookie = cookieHeader(jar, session);
    const crossSite = 'This form was sent from another site';
    await expectRejected(await post({ csrf: token }, cookie, { 'sec-fetch-site': 'cross-site' }), crossSite);
    await expectRejected(await post({ csrf: token }, cookie, { 'sec-fetch-site': 'same-site' }), crossSite); // a sibling subdomain
    await expectRejected(await post({ csrf: token }, cookie, { origin: 'https://evil.example' }), crossSite);
    expect((await post({ csrf: token }, cookie, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post({ csrf: token }, cookie, { origin: base })).status).toBe(200);
    expect((await post({ csrf: token }, cookie, { origin: 'null' })).status).toBe(200); // no-referrer pages
  });
});
