// PKCE policy with a real RP (openid-client), on every database this run covers: required for
// every new client, always for public ones; an administrator may turn require_pkce off for a
// confidential client whose library sends none (Apache mod_auth_openidc 2.4 by default), through
// the admin API here (the CLI, the console and /reg in their own tests), and the refusal names the setting.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization, type AuthorizationStart } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple' };

describe.each(PROVIDERS)('PKCE policy on %s', (provider) => {
  let sesame: TestSesame;
  let adminToken: string;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    await sesame.container.accounts.create(USER);
    const machine = await sesame.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    adminToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
  });
  afterAll(async () => sesame?.close());

  async function patchClient(clientId: string, body: unknown) {
    const response = await fetch(`${sesame.issuer}/admin/api/v1/clients/${clientId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> & { errors?: { field: string; message: string }[] } };
  }

  /** An authorization request as a library without PKCE makes it. */
  function withoutPkce(config: oidc.Configuration): AuthorizationStart {
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid email', state, nonce });
    return { url, verifier: '', state, nonce };
  }

  /** Where the browser lands for a request refused before anyone signs in: the RP, with the error. */
  async function refusal(start: AuthorizationStart) {
    const page = await new TestBrowser(sesame.issuer).request(start.url.toString());
    expect(page.url.startsWith(REDIRECT_URI)).toBe(true);
    const params = new URL(page.url).searchParams;
    return { error: params.get('error'), description: params.get('error_description') };
  }

  it('requires PKCE from a new confidential client and says which setting to change', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Wiki', redirect_uris: [REDIRECT_URI] });
    expect(client.require_pkce).toBe(true);
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    expect(await refusal(withoutPkce(config))).toEqual({
      error: 'invalid_request',
      description:
        'PKCE is required for this client (require_pkce): send code_challenge with code_challenge_method=S256, or have an administrator turn require_pkce off for this confidential client',
    });
  });

  it('signs a person in without PKCE once an administrator turned require_pkce off, and still checks PKCE sent anyway', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Apache', redirect_uris: [REDIRECT_URI] });
    const patched = await patchClient(client.client_id, { require_pkce: false });
    expect(patched.status).toBe(200);
    expect(patched.json.require_pkce).toBe(false);
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);

    const start = withoutPkce(config);
    const callback = await signIn(new TestBrowser(sesame.issuer), start, USER);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { expectedState: start.state, expectedNonce: start.nonce });
    expect(tokens.id_token).toBeTruthy();

    // A code_challenge that was sent must still be met.
    const withPkce = await startAuthorization(config);
    const code = await signIn(new TestBrowser(sesame.issuer), withPkce, USER);
    await expect(exchange(config, code, { ...withPkce, verifier: oidc.randomPKCECodeVerifier() })).rejects.toSatisfy(
      (e) => (e as { error?: string }).error === 'invalid_grant',
    );

    // Turned back on, it is required again.
    expect((await patchClient(client.client_id, { require_pkce: true })).json.require_pkce).toBe(true);
    expect((await refusal(withoutPkce(config))).description).toMatch(/^PKCE is required for this client \(require_pkce\)/);
  });

  it('always requires PKCE from a public client, which cannot turn it off', async () => {
    const client = await sesame.container.clients.create({ client_name: 'SPA', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
    const config = await discover(sesame.issuer, client.client_id);
    expect(await refusal(withoutPkce(config))).toEqual({
      error: 'invalid_request',
      description: 'PKCE is required for public clients: send code_challenge with code_challenge_method=S256',
    });
    const refused = await patchClient(client.client_id, { require_pkce: false });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([
      {
        field: 'require_pkce',
        message: 'require_pkce cannot be false for a public client: PKCE is what binds its authorization code to it (it has no secret)',
      },
    ]);
  });
});
