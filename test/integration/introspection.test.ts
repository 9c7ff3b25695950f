// Who may introspect (RFC 7662) and revoke (RFC 7009) a token: the client it was issued to, and
// for introspection also a client marked as a resource server (`resource_server`, set from the
// admin API, the CLI or the console). Any other client learns nothing: `{ active: false }`, as for
// an unknown token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';
import { within } from '../helpers/within.js';

const PERSON = { email: 'pat@example.com', password: 'a person with tokens' };

interface Caller {
  client_id: string;
  client_secret?: string;
}

describe.each(PROVIDERS)('introspection and revocation on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;
  let adminClient: Caller;

  async function post(path: string, caller: Caller, form: Record<string, string>) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (caller.client_secret) headers.authorization = `Basic ${Buffer.from(`${caller.client_id}:${caller.client_secret}`).toString('base64')}`;
    const body = new URLSearchParams(caller.client_secret ? form : { ...form, client_id: caller.client_id });
    const response = await fetch(`${sesame.issuer}${path}`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
  const introspect = async (caller: Caller, token: string) => (await post('/token/introspection', caller, { token })).json;

  async function machine(name: string): Promise<Caller & { token: string }> {
    const client = await sesame.container.clients.create({ client_name: name, grant_types: ['client_credentials'] });
    const response = await post('/token', client, { grant_type: 'client_credentials' });
    return { ...client, token: response.json.access_token as string };
  }

  async function sesameCli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: sesame.db.url, NODE_ENV: 'test', ISSUER: sesame.issuer, ...TEST_SECRETS },
    });
    return { code, stdout, stderr };
  }

  const adminApi = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${sesame.issuer}/admin/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(PERSON);
    adminClient = await sesame.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    adminToken = (await post('/token', adminClient, { grant_type: 'client_credentials', scope: 'admin' })).json.access_token as string;
  });
  afterAll(async () => sesame?.close());

  it('answers a client about its own tokens only, unless it is a resource server', async () => {
    const app = await sesame.container.clients.create({ client_name: 'App', redirect_uris: [REDIRECT_URI] });
    const config = await discover(sesame.issuer, app.client_id, app.client_secret);
    const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, PERSON), start);
    const other = await machine('Other app');

    // Its own access and refresh tokens: active.
    expect(await introspect(app, tokens.access_token)).toMatchObject({ active: true, client_id: app.client_id });
    expect(await introspect(app, tokens.refresh_token!)).toMatchObject({ active: true, client_id: app.client_id });
    // Another client's: nothing, exactly like an unknown token; an admin client is no exception.
    expect(await introspect(other, tokens.access_token)).toEqual({ active: false });
    expect(await introspect(other, tokens.refresh_token!)).toEqual({ active: false });
    expect(await introspect(app, other.token)).toEqual({ active: false });
    expect(await introspect(other, 'not-a-token')).toEqual({ active: false });
    expect(await introspect(adminClient, tokens.access_token)).toEqual({ active: false });

    // Marked a resource server through the admin API: it may check every token.
    const marked = await adminApi('PATCH', `/clients/${other.client_id}`, { resource_server: true });
    expect(marked.status, JSON.stringify(marked.json)).toBe(200);
    expect(marked.json.resource_server).toBe(true);
    expect(await introspect(other, tokens.access_token)).toMatchObject({ active: true, client_id: app.client_id, sub: expect.any(String) });
    const unmarked = await adminApi('PATCH', `/clients/${other.client_id}`, { resource_server: false });
    expect(unmarked.json).not.toHaveProperty('resource_server');
    expect(await introspect(other, tokens.access_token)).toEqual({ active: false });

    // A public client cannot be one (it has no secret to authenticate with).
    const spa = await adminApi('POST', '/clients', {
      client_name: 'SPA',
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT_URI],
      resource_server: true,
    });
    expect(spa.status).toBe(422);
    expect(spa.json.errors).toEqual([{ field: 'resource_server', message: expect.stringContaining('a public client cannot be a resource server') }]);
  });

  it('marks and unmarks a resource server from the CLI', async () => {
    const target = await machine('Target');
    const created = await sesameCli(['clients', 'create', '--name', 'Orders API', '--grant-type', 'client_credentials', '--resource-server', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const api = JSON.parse(created.stdout) as Caller & { resource_server?: boolean };
    expect(api.resource_server).toBe(true);
    expect(await introspect(api, target.token)).toMatchObject({ active: true, client_id: target.client_id });

    const off = await sesameCli(['clients', 'update', api.client_id, '--no-resource-server']);
    expect(off.code, off.stderr).toBe(0);
    // The CLI is another process: the instance hears of the change at its next poll (every second).
    await within(1_500, async () => (await introspect(api, target.token)).active === false);
    expect(await introspect(api, target.token)).toEqual({ active: false });
    const on = await sesameCli(['clients', 'update', api.client_id, '--resource-server', '--json']);
    expect(JSON.parse(on.stdout).resource_server).toBe(true);
    expect((await sesameCli(['clients', 'update', api.client_id])).code).toBe(2);
    expect((await sesameCli(['clients', 'update', api.client_id, '--resource-server', '--no-resource-server'])).code).toBe(2);
    const shown = await sesameCli(['clients', 'show', api.client_id]);
    expect(shown.stdout).toMatch(/resource_server:\s+yes/);
  });

  it("lets only a token's own client revoke it, resource servers included", async () => {
    const owner = await machine('Owner');
    const api = await sesame.container.clients.create({ client_name: 'Resource server', grant_types: ['client_credentials'], resource_server: true });
    const refused = await post('/token/revocation', api, { token: owner.token });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_request');
    expect(await introspect(owner, owner.token)).toMatchObject({ active: true });
    expect((await post('/token/revocation', owner, { token: owner.token })).status).toBe(200);
    expect(await introspect(owner, owner.token)).toEqual({ active: false });
  });
});
