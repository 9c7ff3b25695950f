// Health, readiness, metrics, discovery and the headers every sign-in page carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

describe('operations', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ env: { SIGNING_ALGS: 'ES256,RS256' } });
  });
  afterAll(async () => sesame?.close());

  it('answers /healthz and /readyz, and counts requests in /metrics', async () => {
    expect((await fetch(`${sesame.issuer}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${sesame.issuer}/readyz`)).json()).toEqual({ status: 'ready' });
    await fetch(`${sesame.issuer}/.well-known/openid-configuration`);
    const metrics = await (await fetch(`${sesame.issuer}/metrics`)).text();
    expect(metrics).toMatch(/sesame_http_requests_total\{method="GET",status="200"\} [1-9]/);
    expect(metrics).toContain('sesame_uptime_seconds');
  });

  it('lists exactly the enabled signing algorithms and no implicit flow in discovery', async () => {
    const discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(discovery.issuer).toBe(sesame.issuer);
    expect(discovery.id_token_signing_alg_values_supported.sort()).toEqual(['ES256', 'RS256']);
    expect(discovery.response_types_supported).toEqual(['code']);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { alg: string }[] };
    expect(jwks.keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'ES256', 'RS256', 'RS256']);
  });

  it('serves sign-in pages with no-store, a CSP that forbids framing, and no script', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Headers', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const page = await new TestBrowser(sesame.issuer).request((await startAuthorization(config)).url.toString());
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toContain('no-store');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('script-src');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.html).not.toContain('<script');
    expect(page.html).toMatch(/<label[^>]*for="email"[^>]*>Email<\/label>/);
    expect(page.html).toMatch(/<button[^>]*>Sign in<\/button>/);
  });

  it('answers a browser with an error page for an expired interaction, never a stack trace', async () => {
    const page = await new TestBrowser(sesame.issuer).request('/interaction/does-not-exist');
    expect(page.status).toBe(400);
    expect(page.html).toContain('expired');
    expect(page.html).not.toMatch(/\bat .+\.(js|ts):\d+/);
  });
});

describe.runIf(TEST_DATABASE_URL)('readiness on PostgreSQL', () => {
  it('reports not ready when the database is gone', async () => {
    const sesame = await startTestSesame({ provider: 'postgresql' });
    try {
      expect((await fetch(`${sesame.issuer}/readyz`)).status).toBe(200);
      await sesame.db.drop(); // terminates the instance's connections and removes the database
      const ready = await fetch(`${sesame.issuer}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
      expect((await fetch(`${sesame.issuer}/healthz`)).status).toBe(200);
    } finally {
      await sesame.close();
    }
  });
});
