// Discovery from memory: after the provider built the document once, our app answers with the
// same bytes and the same headers (open CORS for any Origin), HEAD too; preflights still reach the
// provider; a key-set change (a new provider) has the new provider build its document again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryDocumentOf } from '../../src/oidc/discovery.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const PATH = '/.well-known/openid-configuration';

async function fetchDiscovery(issuer: string, init: RequestInit = {}) {
  const response = await fetch(issuer + PATH, init);
  const headers = Object.fromEntries(
    ['content-type', 'vary', 'access-control-allow-origin', 'content-length'].map((name) => [name, response.headers.get(name)]),
  );
  return { status: response.status, headers, body: await response.text() };
}

describe.each(PROVIDERS)('the discovery document from memory on %s', (provider) => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
  });
  afterAll(async () => {
    await sesame?.close();
  });

  it('answers with the bytes and headers the provider answered with, for any Origin and for HEAD', async () => {
    expect(discoveryDocumentOf(sesame.holder.current())).toBeUndefined();
    const built = await fetchDiscovery(sesame.issuer);
    expect(built.status).toBe(200);
    expect(JSON.parse(built.body)).toMatchObject({ issuer: sesame.issuer, jwks_uri: `${sesame.issuer}/jwks` });
    expect(discoveryDocumentOf(sesame.holder.current())).toBe(built.body);

    const fromMemory = await fetchDiscovery(sesame.issuer);
    expect(fromMemory).toEqual(built);
    expect(fromMemory.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', vary: 'Origin', 'access-control-allow-origin': '*' });

    const withOrigin = await fetchDiscovery(sesame.issuer, { headers: { Origin: 'https://spa.example' } });
    expect(withOrigin).toEqual({ ...built, headers: { ...built.headers, 'access-control-allow-origin': 'https://spa.example' } });

    const head = await fetch(sesame.issuer + PATH, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(built.headers['content-length']);
    expect(await head.text()).toBe('');
  });

  it('leaves preflights and other methods to the provider', async () => {
    await fetchDiscovery(sesame.issuer);
    const preflight = await fetch(sesame.issuer + PATH, {
      method: 'OPTIONS',
      headers: { Origin: 'https://spa.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://spa.example');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET');
    const post = await fetch(sesame.issuer + PATH, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('has a provider built for a new key set build its own document, and serves that one', async () => {
    const before = await fetchDiscovery(sesame.issuer);
    const old = sesame.holder.current();
    await sesame.container.keys.rotate({ force: true });
    await sesame.syncKeys();
    expect(sesame.holder.current()).not.toBe(old);
    expect(discoveryDocumentOf(sesame.holder.current())).toBeUndefined();
    const after = await fetchDiscovery(sesame.issuer);
    expect(after.status).toBe(200);
    expect(discoveryDocumentOf(sesame.holder.current())).toBe(after.body);
    expect(JSON.parse(after.body)).toEqual(JSON.parse(before.body));
  });
});
