// The admin console over plain HTTP: sign-in through Sesame's own code flow, the admin check,
// CSRF, escaping, and the pages' headers. The browser journey is in test/e2e/admin-console.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', name: 'Root', isAdmin: true, emailVerified: true };
const PERSON = { email: 'pat@example.com', password: 'just a regular person', name: 'Pat' };

/** Opens /admin and signs in; returns the page the console answered with. The console is first-party: no consent page. */
async function signInToConsole(browser: TestBrowser, who: { email: string; password: string }, path = '/admin'): Promise<Page> {
  const page = await browser.request(path);
  expect(page.html).toContain('name="password"');
  const answer = await browser.submit(page, '/login', { email: who.email, password: who.password });
  expect(answer.html).not.toContain('/confirm');
  expect(new URL(answer.url).pathname.startsWith('/admin')).toBe(true);
  return answer;
}

describe('admin console (HTTP)', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame();
    await sesame.container.accounts.create(ADMIN);
    await sesame.container.accounts.create(PERSON);
  });
  afterAll(async () => sesame?.close());

  it('sends a signed-out visitor to Sesame with PKCE, as its own public client registered at start-up under a fixed id', async () => {
    // Registered before anyone opened the console, exactly once, with only the console's URIs.
    const consoles = (await sesame.container.clients.list()).filter((c) => c.client_name === 'Sesame console');
    expect(consoles.map((c) => c.client_id)).toEqual(['sesame-console']);
    expect(consoles[0]).toMatchObject({
      token_endpoint_auth_method: 'none',
      // The account page signs people in through the same first-party client (src/http/account/session.ts).
      redirect_uris: [`${sesame.issuer}/admin/callback`, `${sesame.issuer}/account/callback`],
      post_logout_redirect_uris: [`${sesame.issuer}/admin`],
      grant_types: ['authorization_code'],
      scope: 'openid email profile',
    });

    const response = await fetch(`${sesame.issuer}/admin/clients`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${sesame.issuer}/auth`);
    expect(location.searchParams.get('client_id')).toBe('sesame-console');
    expect(location.searchParams.get('redirect_uri')).toBe(`${sesame.issuer}/admin/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
  });

  it("keeps the console's client out of reach: not edited, not deleted, and no admin scope for it", async () => {
    const browser = new TestBrowser(sesame.issuer);
    const details = await signInToConsole(browser, ADMIN, '/admin/clients/sesame-console');
    const edited = await browser.submit(details, '/admin/clients/sesame-console', {
      name: 'Sesame console',
      redirect_uris: `${sesame.issuer}/admin/callback\nhttps://evil.example/cb`,
      grant_types: 'authorization_code',
    });
    expect(edited.status).toBe(422);
    expect(edited.html).toContain('the admin console&#39;s own client');
    const confirm = await browser.request('/admin/clients/sesame-console/delete');
    const deleted = await browser.submit(confirm, '/admin/clients/sesame-console/delete');
    expect(deleted.html).toContain('cannot be changed or deleted');
    expect((await sesame.container.clients.get('sesame-console')).redirect_uris).toEqual([
      `${sesame.issuer}/admin/callback`,
      `${sesame.issuer}/account/callback`,
    ]);

    // A crafted sign-in for the console that asks for more than it is registered for is refused.
    const crafted = new URL(`${sesame.issuer}/auth`);
    crafted.search = new URLSearchParams({
      client_id: 'sesame-console',
      redirect_uri: `${sesame.issuer}/admin/callback`,
      response_type: 'code',
      scope: 'openid admin',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const refused = await fetch(crafted, { redirect: 'manual' });
    expect(new URL(refused.headers.get('location')!).searchParams.get('error')).toBe('invalid_scope');
  });

  it('lets an admin in, returns to the page asked for, and escapes what it prints', async () => {
    await sesame.container.clients.create({ client_name: '<script>alert(1)</script>', redirect_uris: ['https://evil.example/cb'] });
    const browser = new TestBrowser(sesame.issuer);
    const page = await signInToConsole(browser, ADMIN, '/admin/clients?q=script');
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/admin/clients');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.html).not.toContain('<script>alert');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    // A POST without the form's CSRF token is refused before anything happens.
    const before = (await sesame.container.clients.list()).length;
    const forged = await browser.request('/admin/clients', { form: { client_name: 'Forged', redirect_uris: 'https://x.example/cb' } });
    expect(forged.status).toBe(403);
    expect((await sesame.container.clients.list()).length).toBe(before);

    // Validation errors come back next to the field, with what was typed kept.
    const form = await browser.request('/admin/clients/new');
    const invalid = await browser.submit(form, '/admin/clients', {
      client_name: 'Bad app',
      redirect_uris: 'http://example.com/cb',
      grant_types: 'authorization_code',
    });
    expect(invalid.status).toBe(422);
    expect(invalid.html).toContain('id="redirect_uris-error"');
    expect(invalid.html).toContain('http://example.com/cb</textarea>');
    expect(invalid.html).toContain('value="Bad app"');

    const events = await sesame.container.audit.list({ action: 'console.signed_in' });
    expect(events.events[0]?.actor).toMatch(/^user:/);
  });

  it('registers a client for each authentication method; a private key typed in is refused and not shown again', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const form = await signInToConsole(browser, ADMIN, '/admin/clients/new');
    expect(form.html).toMatch(/<option value="client_secret_post">/);
    expect(form.html).toMatch(/<option value="private_key_jwt">/);
    const base = { client_name: 'Method app', redirect_uris: 'https://method.example/cb', grant_types: 'authorization_code' };

    const post = await browser.submit(form, '/admin/clients', { ...base, token_endpoint_auth_method: 'client_secret_post' });
    expect(post.status, post.html).toBe(201);
    expect(post.html).toContain('id="client-secret"');
    const postId = /id="client-id">([^<]+)</.exec(post.html)![1]!;
    expect(await sesame.container.clients.get(postId)).toMatchObject({ token_endpoint_auth_method: 'client_secret_post', has_secret: true });

    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'console-1' }] };
    const keys = await browser.submit(await browser.request('/admin/clients/new'), '/admin/clients', {
      ...base,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: JSON.stringify(jwks),
    });
    expect(keys.status, keys.html).toBe(201);
    expect(keys.html).not.toContain('id="client-secret"');
    expect(keys.html).toContain('None: it authenticates with its own private key (private_key_jwt).');
    const keysId = /id="client-id">([^<]+)</.exec(keys.html)![1]!;
    expect(await sesame.container.clients.get(keysId)).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks,
    });
    const details = await browser.request(`/admin/clients/${keysId}`);
    expect(details.html).toContain('confidential, its own keys (private_key_jwt)');
    expect(details.html).not.toContain('Rotate secret');
    expect(details.html).toContain('&quot;kid&quot;: &quot;console-1&quot;');

    const leaked = JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'leak' }] });
    const refused = await browser.submit(await browser.request('/admin/clients/new'), '/admin/clients', {
      ...base,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: leaked,
    });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('id="jwks-error"');
    expect(refused.html).toContain('jwks.keys[0] contains the private member &quot;d&quot;');
    expect(refused.html).not.toContain(String((JSON.parse(leaked) as { keys: { d: string }[] }).keys[0]!.d));
    expect(refused.html).toContain('value="Method app"');

    const badJson = await browser.submit(await browser.request('/admin/clients/new'), '/admin/clients', {
      ...base,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: '{keys',
    });
    expect(badJson.status).toBe(422);
    expect(badJson.html).toContain('jwks must be a JSON Web Key Set in JSON');

    // Editing: among the secret methods, yes; to private_key_jwt, no.
    const path = `/admin/clients/${postId}`;
    const switched = await browser.submit(await browser.request(path), path, { ...base, token_endpoint_auth_method: 'client_secret_jwt' });
    expect(switched.html).toContain('Saved Method app.');
    expect((await sesame.container.clients.get(postId)).token_endpoint_auth_method).toBe('client_secret_jwt');
    const crossed = await browser.submit(await browser.request(path), path, {
      ...base,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: JSON.stringify(jwks),
    });
    expect(crossed.status).toBe(422);
    expect(crossed.html).toContain('cannot switch to private_key_jwt');
  });

  it("sets the logout channels: a back-channel URI with or without sid, and a front-channel URI on the app's origin", async () => {
    const browser = new TestBrowser(sesame.issuer);
    const form = await signInToConsole(browser, ADMIN, '/admin/clients/new');
    expect(form.html).toMatch(/id="backchannel_logout_session_required"[^>]* checked/);
    expect(form.html).toMatch(/id="frontchannel_logout_session_required"[^>]* checked/);
    const created = await browser.submit(form, '/admin/clients', {
      client_name: 'Logout app',
      redirect_uris: 'https://logout.example/cb',
      grant_types: 'authorization_code',
      backchannel_logout_uri: 'https://logout.example/bcl',
      // The session box left unticked: the logout token names only sub.
      frontchannel_logout_uri: 'https://logout.example/fcl',
      frontchannel_logout_session_required: 'yes',
    });
    expect(created.status, created.html).toBe(201);
    const id = /id="client-id">([^<]+)</.exec(created.html)![1]!;
    expect(await sesame.container.clients.get(id)).toMatchObject({
      backchannel_logout_session_required: false,
      frontchannel_logout_uri: 'https://logout.example/fcl',
      frontchannel_logout_session_required: true,
    });
    const details = await browser.request(`/admin/clients/${id}`);
    expect(details.html).not.toMatch(/id="backchannel_logout_session_required"[^>]* checked/);
    expect(details.html).toMatch(/id="frontchannel_logout_session_required"[^>]* checked/);

    const refused = await browser.submit(await browser.request('/admin/clients/new'), '/admin/clients', {
      client_name: 'Framing others',
      redirect_uris: 'https://logout.example/cb',
      grant_types: 'authorization_code',
      frontchannel_logout_uri: 'https://other.example/fcl',
    });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('id="frontchannel_logout_uri-error"');
  });

  it('edits a client, rotates its secret, deletes it after confirming, and shows a refused key rotation', async () => {
    const client = await sesame.container.clients.create({ client_name: 'Wiki', redirect_uris: ['https://wiki.example/cb'] });
    const browser = new TestBrowser(sesame.issuer);
    const path = `/admin/clients/${client.client_id}`;
    const details = await signInToConsole(browser, ADMIN, path);
    expect(details.html).toContain('https://wiki.example/cb</textarea>');

    const saved = await browser.submit(details, path, {
      client_name: 'Wiki 2',
      redirect_uris: 'https://wiki.example/cb\nhttps://wiki.example/cb2',
      grant_types: 'authorization_code',
      resource_server: 'yes',
      rotate_refresh_tokens: 'yes',
    });
    expect(saved.html).toContain('Saved Wiki 2.');
    expect(saved.html).toMatch(/id="resource_server"[^>]* checked/);
    expect(saved.html).toMatch(/id="rotate_refresh_tokens"[^>]* checked/);
    // require_pkce was checked on the page (the default) and left out of the post: unticked, PKCE is off.
    expect(details.html).toMatch(/id="require_pkce"[^>]* checked/);
    expect(saved.html).not.toMatch(/id="require_pkce"[^>]* checked/);
    const stored = await sesame.container.clients.get(client.client_id);
    expect(stored.redirect_uris).toEqual(['https://wiki.example/cb', 'https://wiki.example/cb2']);
    expect(stored.resource_server).toBe(true);
    expect(stored.rotate_refresh_tokens).toBe(true);
    expect(stored.require_pkce).toBe(false);

    const rotated = await browser.submit(saved, `${path}/rotate-secret`);
    expect(rotated.html).toContain('New client secret');
    const secret = /id="client-secret">([^<]+)</.exec(rotated.html)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await sesame.container.clients.findForProvider(client.client_id))?.client_secret).toBe(secret);

    const confirm = await browser.request(`${path}/delete`);
    expect(confirm.html).toContain('Delete Wiki 2?');
    const deleted = await browser.submit(confirm, `${path}/delete`);
    expect(new URL(deleted.url).pathname).toBe('/admin/clients');
    expect(deleted.html).toContain('Deleted Wiki 2.');
    await expect(sesame.container.clients.get(client.client_id)).rejects.toThrow(/no client/);
    const actions = (await sesame.container.audit.list({ limit: 20 })).events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['client.updated', 'client.secret_rotated', 'client.deleted']));

    // The next key was published a moment ago: an unforced rotation is refused, and says why.
    const keys = await browser.request('/admin/keys');
    const refused = await browser.submit(keys, '/admin/keys/rotate');
    expect(refused.html).toContain('Rotation refused');
    const forced = await browser.submit(refused, '/admin/keys/rotate', { force: 'yes' });
    expect(forced.html).toContain('Rotated:');
  });

  it('signs out of the console and of Sesame', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const overview = await signInToConsole(browser, ADMIN);
    expect(overview.html).toContain('Overview');
    const confirm = await browser.submit(overview, '/admin/logout');
    expect(new URL(confirm.url).pathname).toBe('/session/end');
    expect(confirm.html).toContain('Sesame console');
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.html).toContain('You are signed out of the Sesame console.');
    // Signed out of Sesame too: the console asks for the password again.
    const again = await browser.request('/admin');
    expect(again.html).toContain('name="password"');
  });

  it('refuses a user without the admin role', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const page = await signInToConsole(browser, PERSON);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Your account is not an administrator');
    const again = await browser.request('/admin/users');
    expect(again.html).not.toContain('Add a user');
  });

  it('ends console access at once when the admin role is taken away', async () => {
    const other = await sesame.container.accounts.create({ email: 'ex-admin@example.com', password: 'admin for a little while', isAdmin: true });
    const browser = new TestBrowser(sesame.issuer);
    expect((await signInToConsole(browser, { email: other.email, password: 'admin for a little while' })).status).toBe(200);
    await sesame.container.accounts.update(other.id, { isAdmin: false });
    const page = await browser.request('/admin/keys');
    expect(page.status).toBe(403);
  });
});
