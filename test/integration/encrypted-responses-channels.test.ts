// Encrypted-response client metadata (id_token_encrypted_response_alg/_enc,
// userinfo_encrypted_response_alg/_enc, userinfo_signed_response_alg) through every channel: the
// admin API, dynamic registration (/reg), the console's client form and the CLI take it, and refuse
// an encrypted response without the client's keys and an unknown algorithm with the same message.
// The channels share the rules, not the database: SQLite only.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { discover, REDIRECT_URI } from '../helpers/rp.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const ADMIN = { email: 'root@example.com', password: 'administrators only please', name: 'Root', isAdmin: true, emailVerified: true };
const NO_KEYS = "id_token_encrypted_response_alg needs the client's public encryption key: register jwks or jwks_uri";
const UNKNOWN_ALG = 'userinfo_encrypted_response_alg "dir" is not supported; use RSA-OAEP-256, RSA-OAEP, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW';

describe('encrypted-response metadata on every client channel', () => {
  let sesame: TestSesame;
  let adminToken: string;
  let encryptionKey: jose.JWK;

  async function api(method: string, path: string, body?: unknown, token = adminToken) {
    const response = await fetch(`${sesame.issuer}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    sesame = await startTestSesame({ env: { ENCRYPTION_ALGS: 'ECDH-ES' } });
    await sesame.container.accounts.create(ADMIN);
    const machine = await sesame.container.clients.create({ client_name: 'Admin', grant_types: ['client_credentials'], scope: 'admin' });
    adminToken = (await oidc.clientCredentialsGrant(await discover(sesame.issuer, machine.client_id, machine.client_secret), { scope: 'admin' })).access_token;
    const { publicKey } = await jose.generateKeyPair('RSA-OAEP-256', { extractable: true });
    encryptionKey = { ...(await jose.exportJWK(publicKey)), kid: 'rp-enc', use: 'enc', alg: 'RSA-OAEP-256' };
  });
  afterAll(async () => sesame?.close());

  const encrypted = () => ({
    redirect_uris: [REDIRECT_URI],
    id_token_encrypted_response_alg: 'RSA-OAEP-256',
    id_token_encrypted_response_enc: 'A256GCM',
    userinfo_encrypted_response_alg: 'RSA-OAEP-256',
    jwks: { keys: [encryptionKey] },
  });

  it('the admin API registers, shows, changes and removes it, and refuses what cannot work', async () => {
    const created = await api('POST', '/admin/api/v1/clients', { client_name: 'Via API', ...encrypted() });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_signed_response_alg: 'RS256',
      jwks: { keys: [encryptionKey] },
    });
    const id = created.json.client_id as string;
    const changed = await api('PATCH', `/admin/api/v1/clients/${id}`, { userinfo_encrypted_response_alg: null, userinfo_signed_response_alg: null });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).not.toHaveProperty('userinfo_encrypted_response_alg');
    expect((await sesame.holder.current().Client.find(id))?.userinfoEncryptedResponseAlg).toBeUndefined();

    const noKeys = await api('POST', '/admin/api/v1/clients', {
      client_name: 'No keys',
      redirect_uris: [REDIRECT_URI],
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
    });
    expect(noKeys.status).toBe(422);
    expect(noKeys.json.errors[0]).toMatchObject({ field: 'id_token_encrypted_response_alg', message: NO_KEYS });
    const unknown = await api('POST', '/admin/api/v1/clients', { client_name: 'Unknown', ...encrypted(), userinfo_encrypted_response_alg: 'dir' });
    expect(unknown.status).toBe(422);
    expect(unknown.json.errors[0]).toMatchObject({ field: 'userinfo_encrypted_response_alg', message: UNKNOWN_ALG });

    const openapi = (await (await fetch(`${sesame.issuer}/admin/api/v1/openapi.json`)).json()) as { components: { schemas: Record<string, any> } };
    expect(Object.keys(openapi.components.schemas.ClientInput.properties)).toEqual(
      expect.arrayContaining(['id_token_encrypted_response_alg', 'userinfo_encrypted_response_enc', 'userinfo_signed_response_alg']),
    );
  });

  it('dynamic registration (/reg) takes it and the provider serves it; it refuses the same input with the same message', async () => {
    const iat = (await api('POST', '/admin/api/v1/initial-access-tokens', {})).json.initial_access_token as string;
    const registered = await api('POST', '/reg', { client_name: 'Via reg', ...encrypted() }, iat);
    expect(registered.status, registered.text).toBe(201);
    expect(registered.json).toMatchObject({
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_signed_response_alg: 'RS256',
    });
    const client = await sesame.holder.current().Client.find(registered.json.client_id as string);
    expect(client?.idTokenEncryptedResponseAlg).toBe('RSA-OAEP-256');

    const noKeys = await api('POST', '/reg', { client_name: 'No keys', redirect_uris: [REDIRECT_URI], id_token_encrypted_response_alg: 'RSA-OAEP-256' }, iat);
    expect(noKeys.json).toEqual({ error: 'invalid_client_metadata', error_description: NO_KEYS });
    const unknown = await api('POST', '/reg', { client_name: 'Unknown', ...encrypted(), userinfo_encrypted_response_alg: 'dir' }, iat);
    expect(unknown.json).toEqual({ error: 'invalid_client_metadata', error_description: UNKNOWN_ALG });
  });

  it('the console registers it from the client form, shows it again, and refuses a form without keys next to the field', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request('/admin/clients/new');
    const form: Page = await browser.submit(login, '/login', { email: ADMIN.email, password: ADMIN.password });
    expect(form.html).toContain('name="id_token_encrypted_response_alg"');
    const fields = {
      client_name: 'Via console',
      redirect_uris: REDIRECT_URI,
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_enc: 'A128GCM',
    };
    const refused = await browser.submit(form, '/admin/clients', fields);
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('needs the client&#39;s public encryption key');
    const created = await browser.submit(form, '/admin/clients', { ...fields, jwks: JSON.stringify({ keys: [encryptionKey] }) });
    expect(created.status, created.html).toBe(201);
    const client = (await sesame.container.clients.list()).find((c) => c.client_name === 'Via console')!;
    expect(client).toMatchObject({
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_enc: 'A128GCM',
      userinfo_signed_response_alg: 'RS256',
    });
    const details = await browser.request(`/admin/clients/${client.client_id}`);
    expect(details.html).toMatch(/<option value="A128GCM" selected>/);
  });

  it('the keys page shows the use of every key', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const login = await browser.request('/admin/keys');
    const page = await browser.submit(login, '/login', { email: ADMIN.email, password: ADMIN.password });
    expect(page.html).toContain('Signing and encryption keys');
    expect(page.html).toContain('<td data-label="Use" class="nowrap">enc</td>');
    expect(page.html).toContain('<option value="ECDH-ES">ECDH-ES</option>');
  });
});

describe('encrypted-response metadata and encryption keys in the CLI', () => {
  let db: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    cwd = process.cwd();
  });
  afterAll(async () => db?.drop());

  async function sesame(argv: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env: { DATABASE_URL: db.url, NODE_ENV: 'test', ...TEST_SECRETS, ...env },
      cwd,
    });
    return { code, stdout, stderr, json: argv.includes('--json') && code === 0 ? JSON.parse(stdout) : undefined };
  }

  it('creates and updates a client with encrypted responses, and refuses one without keys in one line', async () => {
    const { publicKey } = await jose.generateKeyPair('ECDH-ES', { extractable: true });
    const jwks = JSON.stringify({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'cli-enc', use: 'enc' }] });
    const created = await sesame([
      'clients', 'create', '--name', 'Via CLI', '--redirect-uri', REDIRECT_URI,
      '--id-token-encrypted-response-alg', 'ECDH-ES', '--jwks', jwks, '--json',
    ]); // prettier-ignore
    expect(created.code, created.stderr).toBe(0);
    expect(created.json).toMatchObject({ id_token_encrypted_response_alg: 'ECDH-ES' });
    const id = created.json.client_id as string;
    const updated = await sesame(['clients', 'update', id, '--userinfo-encrypted-response-alg', 'ECDH-ES+A128KW', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.json).toMatchObject({ userinfo_encrypted_response_alg: 'ECDH-ES+A128KW', userinfo_signed_response_alg: 'RS256' });

    const refused = await sesame([
      'clients',
      'create',
      '--name',
      'No keys',
      '--redirect-uri',
      REDIRECT_URI,
      '--id-token-encrypted-response-alg',
      'RSA-OAEP-256',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`sesame: ${NO_KEYS}\n`);
  });

  it('lists, rotates and revokes encryption keys with their use', async () => {
    const env = { ENCRYPTION_ALGS: 'RSA-OAEP-256' };
    // The server creates the keys at start-up; `keys rotate` on an empty family refuses, so start one.
    const sesameServer = await startTestSesame({ db, env });
    await sesameServer.close();
    const listed = await sesame(['keys', 'list', '--json'], env);
    expect(
      listed.json
        .filter((k: { use: string }) => k.use === 'enc')
        .map((k: { state: string }) => k.state)
        .sort(),
    ).toEqual(['active', 'next']);
    expect((await sesame(['keys', 'list'], env)).stdout).toMatch(/RSA-OAEP-256 +enc +active/);
    const rotated = await sesame(['keys', 'rotate', '--alg', 'RSA-OAEP-256', '--force', '--json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json.changes.map((c: { kind: string; alg: string }) => `${c.kind} ${c.alg}`)).toEqual([
      'retire RSA-OAEP-256',
      'activate RSA-OAEP-256',
      'create RSA-OAEP-256',
    ]);
    const retired = (await sesame(['keys', 'list', '--json'], env)).json.find((k: { state: string; use: string }) => k.state === 'retired' && k.use === 'enc');
    const revoked = await sesame(['keys', 'revoke', retired.kid], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).not.toContain('--revoke-grants');
    const bad = await sesame(['keys', 'rotate', '--alg', 'ECDH-ES'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('sesame: algorithm ECDH-ES is not enabled; SIGNING_ALGS has RS256, ENCRYPTION_ALGS RSA-OAEP-256\n');
  });
});
