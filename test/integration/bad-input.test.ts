// Input that is not text (NUL, unpaired surrogates, other control characters) on every database:
// refused with a 4xx and a message that says why, never a 500. PostgreSQL refuses NUL in text and
// Prisma refuses unpaired surrogates on both databases, so such values must never reach a query.
// A sign-in with such an email is an ordinary failed sign-in, and it is audited.
// (The fuzz test, fuzz.test.ts, searches for more; each class it found has a case here.)
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = '/admin/api/v1';
const ADA = { email: 'ada@example.com', password: 'correct horse battery staple' };

interface JsonResponse {
  status: number;
  type: string | null;
  json: Record<string, unknown>;
}

interface FieldError {
  field: string;
  message: string;
}

describe.each(PROVIDERS)('input that is not text, on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;
  let ada: { id: string };
  let spa: { client_id: string };
  let web: { client_id: string; client_secret?: string };

  async function request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<JsonResponse> {
    const response = await fetch(new URL(path, sesame.issuer), { method, redirect: 'manual', ...init });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // an HTML page
    }
    return { status: response.status, type: response.headers.get('content-type'), json };
  }

  const admin = (method: string, path: string, body?: unknown) =>
    request(method, ADMIN + path, {
      headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  function expectFieldError(response: JsonResponse, field: string) {
    expect(response.status, JSON.stringify(response.json)).toBe(422);
    expect(response.type).toMatch(/^application\/problem\+json/);
    const errors = response.json.errors as FieldError[];
    expect(errors.find((e) => e.field === field)?.message).toMatch(/control characters/);
  }

  async function auditEvents(action: string): Promise<AuditEvent[]> {
    return (await sesame.container.audit.list({ action, limit: 500 })).events;
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    ada = await sesame.container.accounts.create({ ...ADA, emailVerified: true });
    spa = await sesame.container.clients.create({ client_name: 'SPA', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URI] });
    web = await sesame.container.clients.create({ client_name: 'Web', redirect_uris: [REDIRECT_URI] });
    const machine = await sesame.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    const config = await discover(sesame.issuer, machine.client_id, machine.client_secret);
    adminToken = (await oidc.clientCredentialsGrant(config, { scope: 'admin' })).access_token;
  });
  afterAll(async () => sesame?.close());

  describe('sign-in form', () => {
    /** A login page of a new sign-in, its form token and the browser's cookies. */
    async function loginPage() {
      const browser = new TestBrowser(sesame.issuer);
      const start = await startAuthorization(await discover(sesame.issuer, spa.client_id));
      const page = await browser.request(start.url.toString());
      expect(page.html).toContain('name="password"');
      const cookie = [...browser.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
      return { browser, page, cookie, csrf };
    }

    it('treats an email with NUL as a failed sign-in (401, the login page again) and audits it', async () => {
      const before = (await auditEvents('login.failed')).length;
      const { browser, page } = await loginPage();
      const failed = await browser.submit(page, '/login', { email: 'ada@example.com\u0000', password: ADA.password });
      expect(failed.status).toBe(401);
      expect(failed.html).toContain('name="password"');
      const events = await auditEvents('login.failed');
      expect(events.length).toBe(before + 1);
      // Not an email address, so no target: free text never reaches the log.
      expect(events[0]).toMatchObject({ actor: 'anonymous', target: null, details: { client_id: spa.client_id } });
    });

    it('treats an email with an unpaired surrogate (JSON form) the same way', async () => {
      const before = (await auditEvents('login.failed')).length;
      const { page, cookie, csrf } = await loginPage();
      const action = new URL(/action="([^"]*\/login)"/.exec(page.html)![1]!.replace(/&amp;/g, '&'), page.url);
      const response = await fetch(action, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        // JSON.stringify keeps the lone surrogate as the escape \ud800, which JSON.parse restores.
        body: JSON.stringify({ csrf, email: 'ada\ud800@example.com', password: ADA.password }),
      });
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('name="password"');
      expect((await auditEvents('login.failed')).length).toBe(before + 1);
    });
  });

  describe('admin API', () => {
    it('refuses NUL in path parameters with a field error', async () => {
      expectFieldError(await admin('GET', '/users/%00'), 'user_id');
      expectFieldError(await admin('PATCH', `/users/${ada.id}%00`, { name: 'Ada' }), 'user_id');
      expectFieldError(await admin('DELETE', `/users/${ada.id}/sessions/a%00b`), 'session_uid');
      expectFieldError(await admin('GET', '/clients/a%00b'), 'client_id');
      expectFieldError(await admin('POST', '/keys/%00/revoke', {}), 'kid');
    });

    it('refuses NUL in query parameters with a field error', async () => {
      expectFieldError(await admin('GET', '/users?search=%00'), 'search');
      expectFieldError(await admin('GET', '/users?cursor=%00'), 'cursor');
      expectFieldError(await admin('GET', '/audit?action=login%00'), 'action');
    });

    it('refuses control characters and unpaired surrogates in body strings with a field error', async () => {
      expectFieldError(await admin('POST', '/users', { email: 'bob\u0000@example.com', password: ADA.password }), 'email');
      expectFieldError(await admin('POST', '/users', { email: 'bob@example.com', password: ADA.password, name: 'Bob\ud800' }), 'name');
      expectFieldError(await admin('PATCH', `/users/${ada.id}`, { name: 'Ada\u0007' }), 'name');
      expectFieldError(await admin('POST', '/clients', { client_name: 'App\u0000' }), 'client_name');
      expectFieldError(await admin('POST', '/clients', { client_name: 'App', redirect_uris: [`${REDIRECT_URI}\u0000`] }), 'redirect_uris.0');
      // Nothing was stored.
      expect(await sesame.container.accounts.findByEmail('bob@example.com')).toBeUndefined();
      expect((await sesame.container.accounts.get(ada.id)).name).toBeNull();
    });
  });

  describe('the same rules outside the admin API', () => {
    it('refuses them in names and URIs of the account and client services (CLI, console)', async () => {
      await expect(sesame.container.accounts.create({ email: 'eve\u0000@example.com', password: ADA.password })).rejects.toThrow(/control characters/);
      await expect(sesame.container.accounts.update(ada.id, { name: 'Ada\u0000' })).rejects.toThrow(/control characters/);
      await expect(sesame.container.clients.create({ client_name: 'App\ud800', redirect_uris: [REDIRECT_URI] })).rejects.toThrow(/control characters/);
      await expect(
        sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: ['http://localhost:8080/\u0000'] }),
      ).rejects.toThrow(/control characters/);
    });

    it('refuses them in dynamic registration as invalid_client_metadata', async () => {
      const created = await admin('POST', '/initial-access-tokens', {});
      const token = String(created.json.initial_access_token);
      // RFC 7591 has its own code for a bad redirect URI.
      for (const [metadata, error] of [
        [{ client_name: 'Registered\u0000', redirect_uris: [REDIRECT_URI] }, 'invalid_client_metadata'],
        [{ client_name: 'Registered', redirect_uris: [`${REDIRECT_URI}\u0000`] }, 'invalid_redirect_uri'],
      ] as const) {
        const response = await request('POST', '/reg', {
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(metadata),
        });
        expect(response.status, JSON.stringify(response.json)).toBe(400);
        expect(response.json).toMatchObject({ error, error_description: expect.stringMatching(/control characters/) });
      }
    });
  });

  describe('admin console', () => {
    it('starts a sign-in from a very long console URL with a cookie a browser keeps (the start page as return path)', async () => {
      const response = await fetch(new URL(`/admin/clients?q=${'%F0%9F%98%80'.repeat(900)}`, sesame.issuer), { redirect: 'manual' });
      expect(response.status).toBe(302);
      const cookies = response.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie.length).toBeLessThan(4096);
    });
  });

  describe('provider endpoints', () => {
    it('answers a client_id with NUL at /auth with the error page (400)', async () => {
      const query = new URLSearchParams({ client_id: 'x\u0000', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI });
      const response = await request('GET', `/auth?${query}`);
      expect(response.status).toBe(400);
    });

    it('answers a client_id with NUL at introspection, revocation and logout without a server error', async () => {
      for (const path of ['/token/introspection', '/token/revocation', '/token']) {
        const response = await request('POST', path, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'client_id=%00&token=x&grant_type=client_credentials',
        });
        expect(response.status, path).toBe(401);
        expect(response.json.error).toBe('invalid_client');
      }
      const logout = await request('GET', '/session/end/success?client_id=%00');
      expect(logout.status).toBe(400);
    });

    it('audits a failed client authentication whose client_id cannot be stored as is', async () => {
      // NUL (PostgreSQL refuses it), and a long client_id whose 200-character cut in the audit
      // event splits an emoji's surrogate pair (Prisma refuses the half on both databases).
      const long = `${'a'.repeat(199)}😀`;
      for (const clientId of ['%00', encodeURIComponent(long)]) {
        const response = await request('POST', '/token/introspection', {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `client_id=${clientId}&client_secret=wrong&token=x`,
        });
        expect(response.status).toBe(401);
      }
      // Recorded, with what cannot be stored replaced by U+FFFD.
      await expect
        .poll(async () => (await auditEvents('client.authentication_failed')).map((e) => e.target))
        .toEqual(expect.arrayContaining(['client:\ufffd', `client:${'a'.repeat(199)}\ufffd`]));
    });

    it('answers the resume endpoint with a query (client_id, no redirect_uri) with the expired page, not a 500', async () => {
      // oidc-provider's error handler fails on this request unless the query is dropped.
      const response = await request('GET', `/auth/some-interaction?client_id=${spa.client_id}`);
      expect(response.status).toBe(400);
      const garbage = await request('GET', `/auth/%00?client_id=${web.client_id}&state=%00`);
      expect(garbage.status).toBe(400);
    });
  });
});
