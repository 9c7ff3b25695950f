// Sesame's `admin` scope goes only to clients registered with it, whatever else a client is
// registered with (no scope at all included: oidc-provider lets such a client ask for any scope),
// through client credentials, the authorization code flow and refresh; and discovery does not
// advertise it.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', isAdmin: true, emailVerified: true };

describe.each(PROVIDERS)('the admin scope on %s', (provider) => {
  let sesame: TestSesame;

  /** POST /token with client_secret_basic, as a script would. */
  async function token(clientId: string, secret: string, form: Record<string, string>) {
    const response = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, json: (await response.json()) as Record<string, string> };
  }

  const adminApi = (accessToken: string) =>
    fetch(`${sesame.issuer}/admin/api/v1/clients`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(ADMIN);
  });
  afterAll(async () => sesame?.close());

  it('is not advertised in discovery', async () => {
    const discovery = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    expect(discovery.scopes_supported).not.toContain('admin');
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
  });

  it('is refused to a client_credentials client registered without it, with no scope or API scopes only', async () => {
    const bare = await sesame.container.clients.create({ client_name: 'No scope', grant_types: ['client_credentials'] });
    expect(bare.scope).toBeUndefined();
    const api = await sesame.container.clients.create({
      client_name: 'API scopes only',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      resources: ['https://api.example/'],
    });
    for (const client of [bare, api]) {
      for (const scope of ['admin', 'openid admin', 'admin orders:read']) {
        const refused = await token(client.client_id, client.client_secret!, { grant_type: 'client_credentials', scope });
        expect(refused.status, JSON.stringify(refused.json)).toBe(400);
        expect(refused.json).toMatchObject({ error: 'invalid_scope', error_description: 'scope admin is only granted to clients registered with it' });
      }
      // Without admin it gets a token, which the admin API refuses.
      const plain = await token(client.client_id, client.client_secret!, { grant_type: 'client_credentials' });
      expect(plain.status).toBe(200);
      expect(plain.json.scope ?? '').not.toContain('admin');
      expect(await adminApi(plain.json.access_token!)).toBe(403);
    }

    // An admin client (registered with it) still gets it, and may use the admin API.
    const machine = await sesame.container.clients.create({ client_name: 'Admin machine', grant_types: ['client_credentials'], scope: 'admin' });
    const granted = await token(machine.client_id, machine.client_secret!, { grant_type: 'client_credentials', scope: 'admin' });
    expect(granted.json.scope).toBe('admin');
    expect(await adminApi(granted.json.access_token!)).toBe(200);
  });

  it('sends a code-flow client registered without it back with invalid_scope, before anyone signs in', async () => {
    const client = await sesame.container.clients.create({
      client_name: 'API-only app',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      scope: 'orders:read',
      resources: ['https://api.example/'],
    });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(config, { scope: 'openid admin' });
    const page = await new TestBrowser(sesame.issuer).request(start.url.toString());
    expect(page.html).not.toContain('name="password"');
    const callback = new URL(page.url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('error')).toBe('invalid_scope');
    expect(callback.searchParams.get('state')).toBe(start.state);

    // One registered with OpenID Connect scopes but not admin: oidc-provider refuses it at /auth.
    const oidcApp = await sesame.container.clients.create({ client_name: 'OIDC app', redirect_uris: [REDIRECT_URI] });
    const oidcConfig = await discover(sesame.issuer, oidcApp.client_id, oidcApp.client_secret);
    const asked = await new TestBrowser(sesame.issuer).request((await startAuthorization(oidcConfig, { scope: 'openid admin' })).url.toString());
    expect(new URL(asked.url).searchParams.get('error')).toBe('invalid_scope');
  });

  it('stops at refresh once the client is no longer registered with it', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Console-like', redirect_uris: [REDIRECT_URI], scope: 'openid offline_access admin' });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(config, { scope: 'openid offline_access admin', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, ADMIN), start);
    expect(tokens.scope?.split(' ')).toContain('admin');
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.scope?.split(' ')).toContain('admin');

    await sesame.container.clients.update(client.client_id, { scope: 'openid offline_access' });
    const refused = await token(client.client_id, client.client_secret!, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token! });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_scope');
    expect(await adminApi(refreshed.access_token)).toBe(403);
  });
});
