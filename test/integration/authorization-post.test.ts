// The authorization endpoint by POST at the HTTP level (the browser journeys are in
// test/e2e/authorization-post.test.ts): on an https issuer a form body is the request, and bodies
// that are not a good one get the provider's 4xx answers, never a 500 or a logged error; the
// interaction cookies it sets stay SameSite=Lax. On an http issuer a form POST goes on as the
// equivalent GET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { REDIRECT_URI } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const FORM = 'application/x-www-form-urlencoded';

describe('POST /auth on an https issuer', () => {
  let sesame: TestSesame;
  let clientId: string;
  const logged: string[] = [];

  beforeAll(async () => {
    sesame = await startTestSesame({ env: { ISSUER: 'https://id.sesame.test' }, log: createLogger('error', (line) => logged.push(line)) });
    clientId = (await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] })).client_id;
  });
  afterAll(async () => sesame?.close());

  const params = () =>
    new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'xyz',
    });
  const post = (body: string | Uint8Array<ArrayBuffer>, type: string | undefined = FORM, path = '/auth') =>
    fetch(`${sesame.url}${path}`, { method: 'POST', redirect: 'manual', headers: type ? { 'content-type': type } : {}, body });

  it('takes the request from the form body and starts the sign-in, with SameSite=Lax interaction cookies', async () => {
    const response = await post(params().toString());
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^(https:\/\/id\.sesame\.test)?\/interaction\//);
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/;\s*secure/i);
      expect(cookie).toMatch(/;\s*samesite=lax/i);
    }
  });

  it('answers bad bodies with 4xx (redirected to the RP once the client and redirect URI check out), never 500', async () => {
    const good = params();
    const withState = (name: string, value: string) => {
      const p = new URLSearchParams(good);
      p.set(name, value);
      return p.toString();
    };
    const bodies: [string | Uint8Array<ArrayBuffer>, string | undefined][] = [
      ['', FORM],
      ['%', FORM],
      ['client_id=%00&redirect_uri=%ZZ', FORM],
      [`${good}&client_id=${clientId}`, FORM],
      [withState('scope', 'openid\u0000'), FORM],
      [withState('code_challenge_method', 'plain'), FORM],
      [withState('redirect_uri', 'https://elsewhere.example/cb'), FORM],
      [new Uint8Array([0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x69, 0x64, 0x3d, 0xff, 0xfe, 0xc3]), FORM],
      [JSON.stringify(Object.fromEntries(good)), 'application/json'],
      [good.toString(), 'text/plain'],
      [good.toString(), undefined],
      [`${good}&x=${'a'.repeat(200_000)}`, FORM],
    ];
    for (const [body, type] of bodies) {
      const before = logged.length;
      const response = await post(body, type);
      await response.arrayBuffer();
      const label = `${type} ${typeof body === 'string' ? body.slice(0, 80) : 'bytes'}`;
      expect(response.status, label).toBeGreaterThanOrEqual(303);
      expect(response.status, label).toBeLessThan(500);
      expect(logged.slice(before), label).toEqual([]);
    }
  });
});

describe('POST /auth on an http issuer', () => {
  let sesame: TestSesame;
  let clientId: string;
  beforeAll(async () => {
    sesame = await startTestSesame();
    clientId = (await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] })).client_id;
  });
  afterAll(async () => sesame?.close());

  it('goes on as the equivalent GET: the body and only the body is the request', async () => {
    const body = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const post = (path: string, content: string, type = FORM) =>
      fetch(`${sesame.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': type }, body: content });

    const started = await post('/auth', body.toString());
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toMatch(/\/interaction\//);
    for (const cookie of started.headers.getSetCookie()) expect(cookie).toMatch(/;\s*samesite=lax/i);

    // A query beside the body is not read, as oidc-provider reads a POST: no client, the error page.
    const queryOnly = await post(`/auth?${body}`, 'state=x');
    expect(queryOnly.status).toBe(400);
    // Too large a body: 413, as for a POSTed logout.
    expect((await post('/auth', `${body}&x=${'a'.repeat(60 * 1024)}`)).status).toBe(413);
    // Not a form: no POST route on http, as before.
    expect((await post('/auth', JSON.stringify(Object.fromEntries(body)), 'application/json')).status).toBe(404);
  });
});
