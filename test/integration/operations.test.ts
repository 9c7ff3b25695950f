// Health, readiness, metrics, discovery and the headers every sign-in page carries.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { TEST_DATABASE_URL } from '../helpers/environment.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

describe('operations', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ env: { SIGNING_ALGS: 'ES256,RS256' } });
  });
  afterAll(async () => sesame?.close());

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${sesame.issuer}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${sesame.issuer}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('serves Prometheus metrics: requests by route, tokens by grant type, sign-ins by outcome, keys by state and age, JWKS fetches', async () => {
    const person = { email: 'metrics@example.com', password: 'a long prometheus scrape password' };
    await sesame.container.accounts.create({ ...person, name: 'Metrics' });
    const client = await sesame.container.clients.create({
      client_name: 'Metrics',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config);
    expect((await submitLogin(browser, await browser.request(start.url.toString()), person.email, 'not the password')).status).toBe(401);
    await exchange(config, await signIn(browser, start, person), start);
    await oidc.clientCredentialsGrant(config);
    const jwks = await fetch(`${sesame.issuer}/jwks`);
    expect((await fetch(`${sesame.issuer}/jwks`, { headers: { 'if-none-match': jwks.headers.get('etag')! } })).status).toBe(304);
    expect((await fetch(`${sesame.issuer}/no-such-page/abc123?code=xyz789`)).status).toBe(404);

    const response = await fetch(`${sesame.issuer}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const metrics = await response.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
    // Our routes by pattern, the provider's by its route names, anything else as unknown.
    expect(value('sesame_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(value('sesame_http_request_duration_seconds_count{method="POST",route="/interaction/:uid/login",status="401"}')).toBe(1);
    expect(value('sesame_http_request_duration_seconds_count{method="GET",route="discovery",status="200"}')).toBeGreaterThan(0);
    expect(value('sesame_http_request_duration_seconds_count{method="POST",route="token",status="200"}')).toBe(2);
    expect(value('sesame_http_request_duration_seconds_count{method="GET",route="unknown",status="404"}')).toBe(1);
    expect(metrics).not.toMatch(/abc123|xyz789|no-such-page/);
    expect(value('sesame_tokens_issued_total{grant_type="authorization_code"}')).toBe(1);
    expect(value('sesame_tokens_issued_total{grant_type="client_credentials"}')).toBe(1);
    expect(value('sesame_sign_ins_total{outcome="failure"}')).toBe(1);
    expect(value('sesame_sign_ins_total{outcome="success"}')).toBe(1);
    expect(value('sesame_jwks_requests_total{status="200"}')).toBe(1);
    expect(value('sesame_jwks_requests_total{status="304"}')).toBe(1);
    for (const alg of ['ES256', 'RS256']) {
      expect(value(`sesame_signing_keys{alg="${alg}",state="active"}`)).toBe(1);
      expect(value(`sesame_signing_keys{alg="${alg}",state="next"}`)).toBe(1);
      expect(value(`sesame_signing_key_age_seconds{alg="${alg}",state="active"}`)).toBeGreaterThanOrEqual(0);
    }
    expect(value('sesame_signing')).toBe(1);
    expect(value('sesame_key_sync_failures_total')).toBe(0);
    // The process metrics prom-client collects.
    expect(value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
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

  it("serves sign-in pages with no-store, a CSP that forbids framing, and only Sesame's own scripts (passkeys), none inline", async () => {
    const client = await sesame.container.clients.create({ client_name: 'Headers', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const page = await new TestBrowser(sesame.issuer).request((await startAuthorization(config)).url.toString());
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toContain('no-store');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Every script is a file Sesame serves: no inline script, nothing from elsewhere.
    const scripts = [...page.html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toMatch(/src="\/assets\/[\w.-]+\.js"/);
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
