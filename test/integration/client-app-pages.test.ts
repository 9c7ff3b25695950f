// An app's logo and pages (logo_uri, client_uri, policy_uri, tos_uri): one field each in the client
// schema, and every channel takes them with the same rule (the logo only from https): the admin
// API in and out, dynamic registration, the CLI's derived flags and the console's form; the
// consent page shows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { TestBrowser } from '../helpers/browser.js';
import { discover, REDIRECT_URI, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const PAGES = {
  logo_uri: 'https://notes.example/logo.png',
  client_uri: 'https://notes.example/',
  policy_uri: 'https://notes.example/privacy',
  tos_uri: 'https://notes.example/terms',
};
const ADMIN = { email: 'root@example.com', password: 'administrators only please', isAdmin: true, emailVerified: true };
const USER = { email: 'pat@example.com', password: 'an ordinary password' };
const HTTP_LOGO = 'logo_uri must be an absolute https URL (the consent page shows it: never mixed content)';

describe("an app's logo and pages", () => {
  let sesame: TestSesame;
  let token: string;

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create(ADMIN);
    await sesame.container.accounts.create(USER);
    const admin = await sesame.container.clients.create({ client_name: 'ops', grant_types: ['client_credentials'], scope: 'admin' });
    const response = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${admin.client_id}:${admin.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=admin',
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => sesame?.close());

  const api = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${sesame.issuer}/admin/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('takes them through the admin API and /reg with the same rule, and returns them', async () => {
    const created = await api('POST', '/clients', { client_name: 'Notes', redirect_uris: [REDIRECT_URI], ...PAGES });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject(PAGES);
    expect((await api('PATCH', `/clients/${String(created.json.client_id)}`, { tos_uri: null })).json).not.toHaveProperty('tos_uri');

    const refused = await api('POST', '/clients', { client_name: 'Plain', redirect_uris: [REDIRECT_URI], logo_uri: 'http://notes.example/logo.png' });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([{ field: 'logo_uri', message: 'must be an absolute https URL (the consent page shows it: never mixed content)' }]);

    const initial = await api('POST', '/initial-access-tokens', {});
    const register = (body: unknown) =>
      fetch(`${sesame.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${String(initial.json.initial_access_token)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const registered = await register({ client_name: 'Self-registered', redirect_uris: [REDIRECT_URI], ...PAGES });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toMatchObject(PAGES);
    const refusedReg = await register({ client_name: 'Plain', redirect_uris: [REDIRECT_URI], logo_uri: 'http://notes.example/logo.png' });
    expect(await refusedReg.json()).toEqual({ error: 'invalid_client_metadata', error_description: HTTP_LOGO });
  });

  it('has CLI flags derived from the schema', async () => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (s: string) => void (stdout += s),
      stderr: (s: string) => void (stderr += s),
      env: { NODE_ENV: 'test', DATABASE_URL: sesame.db.url, ...TEST_SECRETS },
      cwd: process.cwd(),
    };
    const flags = ['--logo-uri', PAGES.logo_uri, '--client-uri', PAGES.client_uri, '--policy-uri', PAGES.policy_uri, '--tos-uri', PAGES.tos_uri];
    expect(await runCli(['clients', 'create', '--name', 'From the CLI', '--redirect-uri', REDIRECT_URI, ...flags, '--json'], io)).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject(PAGES);
    stdout = '';
    expect(await runCli(['clients', 'create', '--name', 'Plain', '--redirect-uri', REDIRECT_URI, '--logo-uri', 'http://x.example/l.png'], io)).toBe(2);
    expect(stderr).toBe(`sesame: ${HTTP_LOGO}\n`);
  });

  it('has console fields, and the consent page shows the logo and links the pages', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Console app', redirect_uris: [REDIRECT_URI] });
    const admin = new TestBrowser(sesame.issuer);
    let page = await admin.request(`/admin/clients/${client.client_id}`);
    page = await admin.submit(page, '/login', { email: ADMIN.email, password: ADMIN.password });
    expect(page.html).toContain('id="logo_uri"');
    const saved = await admin.submit(page, `/admin/clients/${client.client_id}`, {
      client_name: 'Console app',
      redirect_uris: REDIRECT_URI,
      grant_types: 'authorization_code',
      ...PAGES,
    });
    expect(saved.html).toContain('Saved Console app.');
    expect(await sesame.container.clients.get(client.client_id)).toMatchObject(PAGES);

    // A person signs in to it: the consent page shows the logo and links its pages.
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(await discover(sesame.issuer, client.client_id, client.client_secret));
    const login = await browser.request(start.url.toString());
    const consent = await browser.submit(login, '/login', USER);
    expect(consent.html).toContain(`<img class="app-logo" src="${PAGES.logo_uri}"`);
    expect(consent.html).toContain(`<a href="${PAGES.policy_uri}" rel="noopener noreferrer" target="_blank">Privacy policy</a>`);
    expect(consent.headers.get('content-security-policy')).toContain("img-src 'self' data: https:");
  });
});
