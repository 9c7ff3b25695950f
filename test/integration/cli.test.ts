// The `sesame` CLI, run in-process against fresh databases (and once as the built bin).
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliBy } from '../../src/cli/actor.js';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { openDatabase } from '../../src/db/database.js';
import type { KeyView } from '../../src/domain/keys/key-service.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRETS = { KEY_ENCRYPTION_SECRET: 'x'.repeat(40), COOKIE_KEYS: 'y'.repeat(40) };

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json: any;
}

describe.each(PROVIDERS)('sesame CLI on %s', (provider) => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    env = { DATABASE_URL: db.url, NODE_ENV: 'test', ...SECRETS };
  });
  afterAll(async () => db?.drop());

  async function sesame(argv: string[], stdin?: string): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      env,
      cwd: ROOT,
      ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    });
    let json: unknown;
    if (argv.includes('--json') && code === 0) json = JSON.parse(stdout);
    return { code, stdout, stderr, json };
  }

  /** Bad input: exit 2, nothing on stdout, exactly one `sesame: ...` line on stderr. */
  async function badInput(argv: string[], mentions: RegExp, stdin?: string): Promise<string> {
    const run = await sesame(argv, stdin);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^sesame: [^\n]+\n$/);
    expect(run.stderr).toMatch(mentions);
    return run.stderr;
  }

  describe('users', () => {
    it('creates, lists and deletes users', async () => {
      const created = await sesame(['users', 'create', '--email', 'Ada@Example.com', '--password', 'correct horse battery', '--name', 'Ada Lovelace']);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toBe('');
      expect(created.stdout).toMatch(/^created user ada@example\.com \(sub [\w-]+\)\n$/);
      expect(created.stdout).not.toContain('correct horse');

      const viaJson = await sesame(['users', 'create', '--email', 'grace@example.com', '--password', 'another long one', '--json']);
      expect(viaJson.code).toBe(0);
      expect(viaJson.json).toEqual({
        sub: expect.any(String),
        email: 'grace@example.com',
        name: null,
        email_verified: false,
        is_admin: false,
        disabled: false,
        attributes: {},
        created_at: expect.any(String),
      });
      expect(viaJson.stdout).not.toMatch(/password|hash|argon/i);

      const list = await sesame(['users', 'list', '--json']);
      expect(list.code).toBe(0);
      expect(list.json.map((u: { email: string }) => u.email).sort()).toEqual(['ada@example.com', 'grace@example.com']);
      expect(list.json.find((u: { email: string }) => u.email === 'ada@example.com').name).toBe('Ada Lovelace');
      expect(list.stdout).not.toMatch(/password|hash|argon/i);

      const table = await sesame(['users', 'list']);
      expect(table.stdout.split('\n')[0]).toMatch(/^EMAIL\s+NAME\s+SUB\s+CREATED\s+ADMIN\s+VERIFIED\s+STATE$/);
      expect(table.stdout).toContain('Ada Lovelace');

      const deleted = await sesame(['users', 'delete', 'GRACE@example.com']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe('deleted user grace@example.com; ended 0 sessions and 0 grants\n');
      const after = await sesame(['users', 'list', '--json']);
      expect(after.json.map((u: { email: string }) => u.email)).toEqual(['ada@example.com']);

      await badInput(['users', 'delete', 'grace@example.com'], /no user with email grace@example\.com/);
    });

    it('reads the password from stdin with --password-stdin and never prints it', async () => {
      const password = 'piped password with spaces';
      const run = await sesame(['users', 'create', '--email', 'stdin@example.com', '--password-stdin', '--json'], `${password}\n`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(password);

      // The trailing newline was removed: a second account with the same password text works as
      // a sign-in check through the service the server uses.
      const container = await createContainer(loadConfig(env), silentLogger);
      try {
        expect(await container.accounts.authenticate('stdin@example.com', password)).toMatchObject({ accountId: run.json.sub });
      } finally {
        await container.close();
      }

      await badInput(['users', 'create', '--email', 'e@example.com', '--password-stdin'], /empty password/, '\n');
      await badInput(['users', 'create', '--email', 'e@example.com', '--password', 'long enough', '--password-stdin'], /not both/, 'x');
    });

    it('creates an admin with --admin (the first admin of the console)', async () => {
      const run = await sesame(['users', 'create', '--email', 'boss@example.com', '--password-stdin', '--admin'], 'the chief password');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^created admin user boss@example\.com \(sub [\w-]+\)\n$/);
      const list = await sesame(['users', 'list', '--json']);
      expect(list.json.find((u: { email: string }) => u.email === 'boss@example.com')).toMatchObject({ is_admin: true });
      expect(list.json.find((u: { email: string }) => u.email === 'ada@example.com')).toMatchObject({ is_admin: false });
      const table = await sesame(['users', 'list']);
      expect(table.stdout).toMatch(/boss@example\.com .* yes\s+-\s+active\n/);
      await badInput(['users', 'create', '--email', 'x@example.com', '--password', 'long enough', '--admin=yes'], /--admin takes no value/);
    });

    it('sets email_verified when creating and updating a user, and changes only what is given', async () => {
      const created = await sesame(['users', 'create', '--email', 'lin@example.com', '--password-stdin', '--email-verified', '--json'], 'a long password');
      expect(created.code, created.stderr).toBe(0);
      expect(created.json).toMatchObject({ email: 'lin@example.com', email_verified: true, is_admin: false });

      const unverified = await sesame(['users', 'update', 'LIN@example.com', '--no-email-verified', '--name', 'Lin', '--json']);
      expect(unverified.code, unverified.stderr).toBe(0);
      expect(unverified.json).toMatchObject({ email: 'lin@example.com', name: 'Lin', email_verified: false, is_admin: false });
      const verified = await sesame(['users', 'update', 'lin@example.com', '--email-verified']);
      expect(verified.stdout).toBe(`updated user lin@example.com (sub ${created.json.sub})\n`);
      const list = await sesame(['users', 'list', '--json']);
      expect(list.json.find((u: { email: string }) => u.email === 'lin@example.com')).toMatchObject({ name: 'Lin', email_verified: true });

      await badInput(['users', 'update', 'lin@example.com'], /users update: nothing to change/);
      await badInput(['users', 'update', 'lin@example.com', '--email-verified', '--no-email-verified'], /contradict each other/);
      await badInput(['users', 'update', 'nobody@example.com', '--email-verified'], /no user with email nobody@example\.com/);
    });

    it('rejects bad input with exit 2 and one line', async () => {
      await sesame(['users', 'create', '--email', 'dup@example.com', '--password', 'long enough password']);
      await badInput(['users', 'create', '--email', 'DUP@example.com', '--password', 'long enough password'], /already exists/);
      await badInput(['users', 'create', '--email', 'not-an-email', '--password', 'long enough password'], /not a valid email/);
      const short = await badInput(['users', 'create', '--email', 'short@example.com', '--password', 'hunter2'], /at least 10 characters/);
      expect(short).not.toContain('hunter2');
      await badInput(['users', 'create', '--password', 'long enough password'], /^sesame: users create needs --email\n$/);
      await badInput(['users', 'create', '--email', 'a@example.com'], /users create needs --password or --password-stdin/);
      await badInput(['users', 'create', '--email'], /--email needs a value/);
      await badInput(['users', 'create', '--email', 'a@example.com', '--pasword', 'x'], /unknown option --pasword/);
      // A stray word (say, half of an unquoted password) is refused without being echoed.
      const stray = await badInput(['users', 'create', '--email', 'a@example.com', '--password', 'my', 'secretword'], /unexpected argument/);
      expect(stray).not.toContain('secretword');
      await badInput(['users', 'delete'], /users delete needs EMAIL/);
      await badInput(['users'], /users needs a command: create, update, list, delete, disable, enable, set-password, unlock/);
      await badInput(['users', 'frobnicate'], /unknown command "users frobnicate"/);
    });
  });

  describe('clients', () => {
    it('creates a confidential client whose secret is shown once and stored sealed', async () => {
      const created = await sesame([
        'clients',
        'create',
        '--name',
        'My app',
        '--redirect-uri',
        'https://app.example.com/callback',
        '--redirect-uri',
        'http://localhost:8080/callback',
        '--post-logout-redirect-uri',
        'https://app.example.com/',
        '--backchannel-logout-uri',
        'https://app.example.com/bcl',
        '--scope',
        'openid profile email',
        '--json',
      ]);
      expect(created.code, created.stderr).toBe(0);
      const client = created.json;
      expect(client).toMatchObject({
        client_name: 'My app',
        redirect_uris: ['https://app.example.com/callback', 'http://localhost:8080/callback'],
        post_logout_redirect_uris: ['https://app.example.com/'],
        backchannel_logout_uri: 'https://app.example.com/bcl',
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid profile email',
        has_secret: true,
      });
      expect(client.client_id).toEqual(expect.any(String));
      expect(client.client_secret).toMatch(/^[\w-]{32,}$/);
      const secret: string = client.client_secret;

      const list = await sesame(['clients', 'list', '--json']);
      expect(list.code).toBe(0);
      expect(list.json.map((c: { client_id: string }) => c.client_id)).toContain(client.client_id);
      expect(list.stdout).not.toContain(secret);
      expect(list.stdout).not.toContain('"client_secret"');
      const listTable = await sesame(['clients', 'list']);
      expect(listTable.stdout).toContain(client.client_id);
      expect(listTable.stdout).not.toContain(secret);

      const show = await sesame(['clients', 'show', client.client_id, '--json']);
      expect(show.code).toBe(0);
      expect(show.json).toMatchObject({ client_id: client.client_id, client_name: 'My app', has_secret: true });
      expect(show.json).not.toHaveProperty('client_secret');
      expect(show.stdout).not.toContain(secret);
      const showHuman = await sesame(['clients', 'show', client.client_id]);
      expect(showHuman.stdout).toMatch(/client_id:\s+\S+/);
      expect(showHuman.stdout).toContain('http://localhost:8080/callback');
      expect(showHuman.stdout).not.toContain(secret);

      const database = await openDatabase(db.config);
      try {
        const row = await database.prisma.client.findUnique({ where: { id: client.client_id } });
        expect(row?.secretEncrypted).toEqual(expect.any(String));
        expect(row!.secretEncrypted).not.toContain(secret);
        expect(row!.metadata).not.toContain(secret);
      } finally {
        await database.close();
      }
    });

    it('prints the client_id and the secret with a shown-once note in human output', async () => {
      const run = await sesame(['clients', 'create', '--name', 'Human', '--redirect-uri', 'https://h.example.com/cb']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^created confidential client "Human" \(client_secret_basic\)\n/);
      expect(run.stdout).toMatch(/client_id: +\S+\n/);
      expect(run.stdout).toMatch(/client_secret: \S{32,}\n/);
      expect(run.stdout).toMatch(/only once/);
    });

    it('creates a public client without a secret', async () => {
      const run = await sesame(['clients', 'create', '--name', 'SPA', '--redirect-uri', 'https://spa.example.com/cb', '--public', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ token_endpoint_auth_method: 'none', has_secret: false });
      expect(run.json).not.toHaveProperty('client_secret');
      const human = await sesame(['clients', 'create', '--name', 'Native', '--redirect-uri', 'com.example.app:/cb', '--public']);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/^created public client "Native"\n/);
      expect(human.stdout).not.toMatch(/secret/);

      await badInput(['clients', 'rotate-secret', run.json.client_id], /public/);
    });

    it('turns refresh token rotation on and off for a confidential client, never off for a public one', async () => {
      const create = ['clients', 'create', '--name', 'Rotating', '--redirect-uri', 'https://rot.example.com/cb', '--json'];
      const rotating = await sesame([...create, '--rotate-refresh-tokens']);
      expect(rotating.code, rotating.stderr).toBe(0);
      expect(rotating.json).toMatchObject({ rotate_refresh_tokens: true });
      const id = rotating.json.client_id as string;
      const off = await sesame(['clients', 'update', id, '--no-rotate-refresh-tokens', '--json']);
      expect(off.code, off.stderr).toBe(0);
      expect(off.json).toMatchObject({ rotate_refresh_tokens: false });

      const spa = await sesame(['clients', 'create', '--name', 'SPA', '--redirect-uri', 'https://spa.example.com/cb', '--public', '--json']);
      expect(spa.json).toMatchObject({ rotate_refresh_tokens: true });
      await badInput(['clients', 'update', spa.json.client_id, '--no-rotate-refresh-tokens'], /rotate_refresh_tokens cannot be false for a public client/);
    });

    it('turns require_mfa on with --require-mfa and off with --no-require-mfa; show says it', async () => {
      const create = ['clients', 'create', '--name', 'Vault', '--redirect-uri', 'https://vault.example.com/cb', '--json'];
      const vault = await sesame([...create, '--require-mfa']);
      expect(vault.code, vault.stderr).toBe(0);
      expect(vault.json).toMatchObject({ require_mfa: true });
      const id = vault.json.client_id as string;
      const shown = await sesame(['clients', 'show', id]);
      expect(shown.stdout).toMatch(/require_mfa: +yes/);
      const off = await sesame(['clients', 'update', id, '--no-require-mfa', '--json']);
      expect(off.code, off.stderr).toBe(0);
      expect(off.json).toMatchObject({ require_mfa: false });
    });

    it('turns require_pkce off for a confidential client and on again, never off for a public one', async () => {
      const create = ['clients', 'create', '--name', 'Apache', '--redirect-uri', 'https://apache.example.com/cb', '--json'];
      const apache = await sesame([...create, '--no-require-pkce']);
      expect(apache.code, apache.stderr).toBe(0);
      expect(apache.json).toMatchObject({ require_pkce: false });
      const shown = await sesame(['clients', 'show', apache.json.client_id]);
      expect(shown.stdout).toMatch(/^require_pkce:\s+no \(authorization requests may leave PKCE out\)$/m);
      const on = await sesame(['clients', 'update', apache.json.client_id, '--require-pkce', '--json']);
      expect(on.json).toMatchObject({ require_pkce: true });

      await badInput([...create, '--require-pkce', '--no-require-pkce'], /--require-pkce and --no-require-pkce contradict each other/);
      await badInput([...create, '--public', '--no-require-pkce'], /require_pkce cannot be false for a public client/);
    });

    it('registers each client authentication method; private_key_jwt takes its public keys as JSON or @FILE', async () => {
      const create = ['clients', 'create', '--name', 'Methods', '--redirect-uri', 'https://m.example.com/cb', '--json'];
      const post = await sesame([...create, '--token-endpoint-auth-method', 'client_secret_post']);
      expect(post.code, post.stderr).toBe(0);
      expect(post.json).toMatchObject({ token_endpoint_auth_method: 'client_secret_post', has_secret: true, client_secret: expect.any(String) });
      const jwt = await sesame([...create, '--token-endpoint-auth-method', 'client_secret_jwt', '--token-endpoint-auth-signing-alg', 'HS256']);
      expect(jwt.json).toMatchObject({ token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256', has_secret: true });

      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'cli-1' }] };
      const inline = await sesame([...create, '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', JSON.stringify(jwks)]);
      expect(inline.code, inline.stderr).toBe(0);
      expect(inline.json).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks, has_secret: false });
      expect(inline.json).not.toHaveProperty('client_secret');
      const dir = mkdtempSync(join(tmpdir(), 'sesame-cli-jwks-'));
      writeFileSync(join(dir, 'keys.json'), JSON.stringify(jwks));
      const human = await sesame([
        'clients',
        'create',
        '--name',
        'From file',
        '--redirect-uri',
        'https://m.example.com/cb',
        '--token-endpoint-auth-method',
        'private_key_jwt',
        '--jwks',
        `@${join(dir, 'keys.json')}`,
      ]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/^created confidential client "From file" \(private_key_jwt\)\n/);
      expect(human.stdout).not.toContain('client_secret');
      const id = /client_id: +(\S+)/.exec(human.stdout)![1]!;
      expect((await sesame(['clients', 'show', id])).stdout).toMatch(/^jwks:\s+EC kid cli-1$/m);
      await badInput(['clients', 'rotate-secret', id], /authenticates with its own keys \(private_key_jwt\) and has no secret/);

      // Switching among the secret methods keeps the secret; to private_key_jwt it cannot.
      const switched = await sesame(['clients', 'update', post.json.client_id, '--token-endpoint-auth-method', 'client_secret_basic', '--json']);
      expect(switched.json).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', has_secret: true });
      await badInput(
        ['clients', 'update', post.json.client_id, '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', JSON.stringify(jwks)],
        /cannot switch to private_key_jwt, which uses the client's own keys and no secret/,
      );

      // A private key, bad JSON, an unreadable file, a contradiction: exit 2, one line, no key material.
      const leaked = { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'leak' }] };
      const refusal = await badInput(
        [...create, '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', JSON.stringify(leaked)],
        /jwks\.keys\[0\] contains the private member "d"/,
      );
      expect(refusal).not.toContain(String(leaked.keys[0]!.d));
      await badInput(
        [...create, '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', '{keys'],
        /--jwks must be JSON, or @FILE naming a file that holds JSON/,
      );
      await badInput(
        [...create, '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', `@${join(dir, 'missing.json')}`],
        /--jwks: cannot read .*missing\.json \(ENOENT\)/,
      );
      await badInput(
        [...create, '--token-endpoint-auth-method', 'private_key_jwt'],
        /a private_key_jwt client needs its public keys: register jwks or jwks_uri/,
      );
      await badInput(
        [...create, '--public', '--token-endpoint-auth-method', 'client_secret_post'],
        /--public and --token-endpoint-auth-method client_secret_post contradict each other/,
      );
      await badInput([...create, '--token-endpoint-auth-method', 'tls_client_auth'], /token_endpoint_auth_method "tls_client_auth" is not supported/);
      rmSync(dir, { recursive: true, force: true });
    });

    it('takes the logout session settings: on by default with their URI, turned off with --no-, read back only with the URI', async () => {
      const create = ['clients', 'create', '--name', 'Logout', '--redirect-uri', 'https://logout.example.com/cb', '--json'];
      const on = await sesame([
        ...create,
        '--backchannel-logout-uri',
        'https://logout.example.com/bcl',
        '--frontchannel-logout-uri',
        'https://logout.example.com/fcl',
      ]);
      expect(on.code, on.stderr).toBe(0);
      expect(on.json).toMatchObject({ backchannel_logout_session_required: true, frontchannel_logout_session_required: true });
      const shown = await sesame(['clients', 'show', on.json.client_id]);
      expect(shown.stdout).toMatch(/^backchannel_logout_session_required:\s+yes \(the logout token carries sid\)$/m);
      expect(shown.stdout).toMatch(/^frontchannel_logout_uri:\s+https:\/\/logout\.example\.com\/fcl$/m);

      const off = await sesame([
        'clients',
        'update',
        on.json.client_id,
        '--no-backchannel-logout-session-required',
        '--no-frontchannel-logout-session-required',
        '--json',
      ]);
      expect(off.json).toMatchObject({ backchannel_logout_session_required: false, frontchannel_logout_session_required: false });
      const gone = await sesame(['clients', 'update', on.json.client_id, '--no-backchannel-logout-uri', '--no-frontchannel-logout-uri', '--json']);
      expect(gone.json).not.toHaveProperty('backchannel_logout_session_required');
      expect(gone.json).not.toHaveProperty('frontchannel_logout_uri');
      const plain = await sesame(create);
      expect(plain.json).not.toHaveProperty('backchannel_logout_session_required');

      await badInput(
        [...create, '--frontchannel-logout-uri', 'https://elsewhere.example.com/fcl'],
        /front-channel logout URI "https:\/\/elsewhere\.example\.com\/fcl" must be on the origin \(scheme, host and port\) of one of the redirect URIs/,
      );
      await badInput([...create, '--frontchannel-logout-uri', 'http://logout.example.com/fcl'], /front-channel logout URI .* must use https/);
    });

    it('creates a client_credentials client without a redirect URI', async () => {
      const run = await sesame(['clients', 'create', '--name', 'Worker', '--grant-type', 'client_credentials', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ grant_types: ['client_credentials'], redirect_uris: [], has_secret: true });
    });

    it('creates a client for the admin API with --admin and says how to get a token', async () => {
      const run = await sesame(['clients', 'create', '--admin']);
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe('created admin API client "Sesame admin" (client_credentials, scope admin)');
      const id = /^client_id: +(\S+)$/.exec(lines[1]!)![1]!;
      const secret = /client_secret: (\S+)\n/.exec(run.stdout)![1]!;
      expect(run.stdout).toContain(`curl -u '${id}:${secret}' -d grant_type=client_credentials -d scope=admin http://localhost:3000/token\n`);

      const json = await sesame(['clients', 'create', '--admin', '--name', 'Ops robot', '--json']);
      expect(json.code, json.stderr).toBe(0);
      expect(json.json).toMatchObject({
        client_name: 'Ops robot',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        scope: 'admin',
        token_endpoint_auth_method: 'client_secret_basic',
        has_secret: true,
        client_secret: expect.stringMatching(/^[\w-]{32,}$/),
      });

      await badInput(['clients', 'create', '--admin', '--redirect-uri', 'https://a.example.com/cb'], /--admin .* does not take --redirect-uri/);
      await badInput(['clients', 'create', '--admin', '--public'], /does not take --public/);
      await badInput(['clients', 'create', '--admin', '--scope', 'openid'], /does not take --scope/);
      await badInput(['clients', 'create', '--admin', '--name', ' '], /--name must not be empty/);
    });

    it('signs ID tokens with --id-token-alg when that algorithm is enabled', async () => {
      const create = ['clients', 'create', '--name', 'EC app', '--redirect-uri', 'https://ec.example.com/cb'];
      await badInput([...create, '--id-token-alg', 'ES256'], /^sesame: id_token_signed_response_alg "ES256" is not enabled; SIGNING_ALGS has RS256\n$/);
      await badInput([...create, '--id-token-alg', 'HS256'], /"HS256" is not enabled/);
      await badInput([...create, '--id-token-alg', ''], /--id-token-alg must not be empty/);

      const saved = env;
      try {
        env = { ...saved, SIGNING_ALGS: 'RS256,ES256' };
        const run = await sesame([...create, '--id-token-alg', 'ES256', '--json']);
        expect(run.code, run.stderr).toBe(0);
        expect(run.json.id_token_signed_response_alg).toBe('ES256');
        const show = await sesame(['clients', 'show', run.json.client_id]);
        expect(show.stdout).toMatch(/id_token_signed_response_alg:\s+ES256\n/);

        const plain = await sesame(['clients', 'create', '--name', 'Default alg', '--redirect-uri', 'https://d.example.com/cb', '--json']);
        expect(plain.code, plain.stderr).toBe(0);
        expect(plain.json).not.toHaveProperty('id_token_signed_response_alg');
        expect((await sesame(['clients', 'show', plain.json.client_id])).stdout).toMatch(/id_token_signed_response_alg:\s+default/);
      } finally {
        env = saved;
      }
    });

    it('rotates a secret: a different one, shown once', async () => {
      const created = await sesame(['clients', 'create', '--name', 'Rotating', '--redirect-uri', 'https://r.example.com/cb', '--json']);
      const rotated = await sesame(['clients', 'rotate-secret', created.json.client_id, '--json']);
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.json.client_id).toBe(created.json.client_id);
      expect(rotated.json.client_secret).toMatch(/^[\w-]{32,}$/);
      expect(rotated.json.client_secret).not.toBe(created.json.client_secret);

      const human = await sesame(['clients', 'rotate-secret', created.json.client_id]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/client_secret: \S{32,}\n/);
      expect(human.stdout).not.toContain(rotated.json.client_secret);

      const show = await sesame(['clients', 'show', created.json.client_id, '--json']);
      expect(show.stdout).not.toContain(rotated.json.client_secret);
    });

    it('deletes a client', async () => {
      const created = await sesame(['clients', 'create', '--name', 'Doomed', '--redirect-uri', 'https://d.example.com/cb', '--json']);
      const deleted = await sesame(['clients', 'delete', created.json.client_id, '--json']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.json).toEqual({ client_id: created.json.client_id, deleted: true });
      await badInput(['clients', 'show', created.json.client_id], /no client with id/);
    });

    it('rejects bad redirect URIs and other bad input with exit 2 and one line', async () => {
      const create = ['clients', 'create', '--name', 'Bad'];
      await badInput([...create, '--redirect-uri', 'http://app.example.com/cb'], /redirect URI "http:\/\/app\.example\.com\/cb" must use https/);
      await badInput([...create, '--redirect-uri', 'https://app.example.com/cb#frag'], /"https:\/\/app\.example\.com\/cb#frag" must not contain a fragment/);
      await badInput([...create, '--redirect-uri', 'https://*.example.com/cb'], /wildcard/);
      await badInput([...create, '--redirect-uri', 'not a uri'], /redirect URI "not a uri" is not an absolute URI/);
      await badInput(
        [...create, '--redirect-uri', 'https://ok.example.com/cb', '--post-logout-redirect-uri', 'http://evil.example.com/'],
        /post-logout redirect URI/,
      );
      await badInput([...create, '--redirect-uri', 'https://ok.example.com/cb', '--grant-type', 'implicit'], /grant type "implicit"/);
      await badInput([...create], /clients create needs --redirect-uri/);
      await badInput(['clients', 'create', '--redirect-uri', 'https://ok.example.com/cb'], /clients create needs --name/);
      await badInput([...create, '--redirect-uri', 'https://ok.example.com/cb', '--name', 'Twice'], /--name was given more than once/);
      await badInput([...create, '--redirect-uri', 'https://ok.example.com/cb', '--public=yes'], /--public takes no value/);

      // Nothing was stored by any of the above.
      const list = await sesame(['clients', 'list', '--json']);
      expect(list.json.map((c: { client_name: string }) => c.client_name)).not.toContain('Bad');
    });

    it('reports unknown clients with exit 2', async () => {
      await badInput(['clients', 'show', 'no-such-client'], /no client with id no-such-client/);
      await badInput(['clients', 'delete', 'no-such-client'], /no client with id no-such-client/);
      await badInput(['clients', 'rotate-secret', 'no-such-client'], /no client with id no-such-client/);
      await badInput(['clients', 'show'], /clients show needs ID/);
    });
  });

  describe('keys, migrate and the command line', () => {
    it('lists signing keys without private parts', async () => {
      const empty = await sesame(['keys', 'list']);
      expect(empty.code, empty.stderr).toBe(0);

      // The server creates keys at start-up; do the same through the shared services.
      const container = await createContainer(loadConfig(env), silentLogger);
      try {
        await container.keys.ensureKeys();
      } finally {
        await container.close();
      }

      const run = await sesame(['keys', 'list', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.map((k: { state: string }) => k.state).sort()).toEqual(['active', 'next']);
      for (const key of run.json) {
        expect(key).toMatchObject({ kid: expect.any(String), alg: 'RS256', published_at: expect.any(String) });
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'privateJwe', 'private_jwe']) expect(key).not.toHaveProperty(member);
      }
      const table = await sesame(['keys', 'list']);
      expect(table.stdout.split('\n')[0]).toMatch(/^KID\s+ALG\s+STATE\s+PUBLISHED\s+ACTIVATED\s+RETIRED\s+EXPIRES$/);
      expect(table.stdout).toContain(run.json[0].kid);
    });

    it('migrate reports an up-to-date database', async () => {
      const run = await sesame(['migrate', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toEqual({ applied: [], total: expect.any(Number) });
      expect((await sesame(['migrate'])).stdout).toMatch(/^database is up to date/);
    });

    it('migrates a brand-new database before any command', async () => {
      const fresh = await createTestDatabase(provider, { migrated: false });
      try {
        const saved = env;
        env = { ...env, DATABASE_URL: fresh.url };
        try {
          const list = await sesame(['users', 'list', '--json']);
          expect(list.code, list.stderr).toBe(0);
          expect(list.json).toEqual([]);
          expect((await sesame(['migrate', '--json'])).json.applied).toEqual([]);
        } finally {
          env = saved;
        }
      } finally {
        await fresh.drop();
      }
    });

    it('records its changes in the audit log (actor cli:<os user>) and lists them with audit list', async () => {
      const since = new Date(Date.now() - 1);
      const password = 'an audit trail password';
      const user = await sesame(['users', 'create', '--email', 'audited@example.com', '--password-stdin', '--json'], password);
      const client = await sesame(['clients', 'create', '--name', 'Audited', '--redirect-uri', 'https://au.example.com/cb', '--json']);
      const rotated = await sesame(['clients', 'rotate-secret', client.json.client_id, '--json']);
      expect((await sesame(['clients', 'delete', client.json.client_id])).code).toBe(0);
      expect((await sesame(['users', 'delete', 'audited@example.com'])).code).toBe(0);

      const run = await sesame(['audit', 'list', '--since', since.toISOString(), '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.map((e: { action: string; target: string }) => [e.action, e.target])).toEqual([
        ['user.deleted', `user:${user.json.sub}`],
        ['client.deleted', `client:${client.json.client_id}`],
        ['client.secret_rotated', `client:${client.json.client_id}`],
        ['client.created', `client:${client.json.client_id}`],
        ['user.created', `user:${user.json.sub}`],
      ]);
      for (const event of run.json) {
        expect(event).toMatchObject({ id: expect.any(String), at: expect.any(String), actor: cliBy().actor, source_address: null });
      }
      for (const secret of [password, client.json.client_secret, rotated.json.client_secret]) expect(run.stdout).not.toContain(secret);

      const human = await sesame(['audit', 'list', '--since', '10m', '--action', 'client.created']);
      expect(human.code, human.stderr).toBe(0);
      const lines = human.stdout.split('\n');
      expect(lines[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+SOURCE$/);
      expect(
        lines
          .slice(1)
          .filter(Boolean)
          .every((l) => /^\S+Z\s+cli(:\S+)?\s+client\.created\s+client:\S+\s+-$/.test(l)),
      ).toBe(true);
      expect(human.stdout).toContain(`client:${client.json.client_id}`);
      const limited = await sesame(['audit', 'list', '--limit', '1', '--json']);
      expect(limited.json).toHaveLength(1);
      expect(limited.json[0].action).toBe('user.deleted');
      expect((await sesame(['audit', 'list', '--since', '2999-01-01'])).stdout).toBe('no audit events match\n');

      await badInput(['audit', 'list', '--since', 'yesterday'], /--since must be a duration such as 15m, 24h or 7d, or an ISO date/);
      await badInput(['audit', 'list', '--limit', '0'], /--limit must be a whole number from 1 to 500/);
      await badInput(['audit', 'list', '--limit', 'ten'], /--limit must be a whole number/);
      await badInput(['audit', 'list', '--action', ''], /--action must not be empty/);
      await badInput(['audit', 'show'], /unknown command "audit show"/);
    });

    it('prints help with exit 0', async () => {
      for (const argv of [['--help'], ['help'], ['-h']]) {
        const run = await sesame(argv);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^Usage: sesame <command>/);
        expect(run.stdout).toContain('--password-stdin');
        expect(run.stdout).toContain('clients rotate-secret ID');
        for (const synopsis of ['keys rotate [--alg A] [--force]', 'keys revoke KID [--revoke-grants]', 'keys rewrap']) {
          expect(run.stdout).toContain(synopsis);
        }
        expect(run.stdout).toContain('KEY_ENCRYPTION_SECRET');
        expect(run.stdout).toContain('audit list [--since DURATION|DATE] [--action A] [--limit N]');
        expect(run.stdout).toContain('clients create --admin [--name N]');
        expect(run.stdout).toMatch(/users create .*\[--admin\]/);
      }
      const command = await sesame(['users', 'create', '--help']);
      expect(command.code).toBe(0);
      expect(command.stdout).toMatch(/^Usage: sesame users create/);
      expect(command.stdout).toContain('--password-stdin');
      expect((await sesame(['help', 'clients', 'create'])).stdout).toMatch(/^Usage: sesame clients create/);
      expect((await sesame(['clients', 'create', '--help'])).stdout).toContain('--id-token-alg A');
      const rotate = await sesame(['keys', 'rotate', '--help']);
      expect(rotate.stdout).toMatch(/^Usage: sesame keys rotate \[--alg A\] \[--force\]/);
      expect(rotate.stdout).toContain('JWKS_CACHE_LIFETIME');
      expect((await sesame(['clients', '--help'])).stdout).toMatch(/^Usage: sesame clients <command>/);
      expect((await sesame(['audit', 'list', '--help'])).stdout).toMatch(/^Usage: sesame audit list/);
    });

    it('rejects unknown commands and missing ones with exit 2', async () => {
      await badInput(['frobnicate'], /unknown command "frobnicate"/);
      await badInput([], /missing command/);
      await badInput(['--json'], /put the command first/);
      await badInput(['keys', 'list', '--verbose'], /keys list: unknown option --verbose/);
      await badInput(['help', 'nothing'], /unknown command/);
    });

    it('turns a bad configuration into exit 2 and an unreachable database into exit 1', async () => {
      const saved = env;
      try {
        env = { ...saved, SIGNING_ALGS: 'HS256' };
        await badInput(['users', 'list'], /SIGNING_ALGS/);
        env = { ...saved, DATABASE_URL: 'postgresql://sesame@127.0.0.1:1/nothing' };
        const run = await sesame(['users', 'list']);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^sesame: [^\n]+\n$/);
      } finally {
        env = saved;
      }
    });
  });

  describe('keys rotate, revoke and rewrap', () => {
    // Each test gets its own database with an RS256 and an ES256 family, as a first start makes them.
    const HOUR = 3600 * 1000;
    let keysDb: TestDatabase;
    let saved: Record<string, string>;

    beforeEach(async () => {
      keysDb = await createTestDatabase(provider);
      saved = env;
      env = { ...saved, DATABASE_URL: keysDb.url, SIGNING_ALGS: 'RS256,ES256' };
      await withContainer((c) => c.keys.ensureKeys());
    });
    afterEach(async () => {
      env = saved;
      await keysDb?.drop();
    });

    /** The services a server would use, on the same database, with `overrides` in its environment. */
    async function withContainer<T>(work: (c: Container) => Promise<T>, overrides: Record<string, string> = {}): Promise<T> {
      const container = await createContainer(loadConfig({ ...env, ...overrides }), silentLogger);
      try {
        return await work(container);
      } finally {
        await container.close();
      }
    }

    async function keys(): Promise<KeyView[]> {
      const run = await sesame(['keys', 'list', '--json']);
      expect(run.code, run.stderr).toBe(0);
      return run.json;
    }

    /** One family's published keys by state (revoked ones left out). */
    function family(list: KeyView[], alg: string): Record<'active' | 'next' | 'retired', KeyView> {
      const keysOfAlg = list.filter((k) => k.alg === alg && k.state !== 'revoked');
      expect(new Set(keysOfAlg.map((k) => k.state)).size, 'one key per state').toBe(keysOfAlg.length);
      return Object.fromEntries(keysOfAlg.map((k) => [k.state, k])) as Record<'active' | 'next' | 'retired', KeyView>;
    }

    /** Moves a key's publication back, as if RPs had had it in their cached JWKS that long. */
    async function publishedAgo(kid: string, ms: number): Promise<void> {
      const database = await openDatabase(keysDb.config);
      try {
        await database.prisma.signingKey.update({ where: { kid }, data: { publishedAt: new Date(Date.now() - ms) } });
      } finally {
        await database.close();
      }
    }

    /**
     * `keys revoke KID ...options`. A kid is a base64url thumbprint, so one in 64 starts with "-":
     * the CLI takes such a word as the id, not as an option.
     */
    const revoke = (kid: string, ...options: string[]) => ['keys', 'revoke', ...options, kid];

    it('takes an id that starts with "-" as the id, not as an option', async () => {
      await badInput(['keys', 'revoke', '-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde'], /no signing key with kid -AbCdEf/);
      await badInput(['clients', 'show', '-Abc123', '--json'], /no client with id -Abc123/);
      await badInput(['users', 'create', '--email', 'a@example.com', '--password'], /--password needs a value/);
    });

    it('logs every key state change once, with kid and reason, when the log level allows', async () => {
      const run = await (async () => {
        const saved2 = env;
        env = { ...env, LOG_LEVEL: 'info' };
        try {
          return await sesame(['keys', 'rotate', '--alg', 'ES256', '--force', '--json']);
        } finally {
          env = saved2;
        }
      })();
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; kid?: string; reason?: string });
      const changes = run.json.changes as { kid: string }[];
      expect(changes.length).toBeGreaterThan(0);
      expect(lines.filter((l) => l.msg.startsWith('signing key'))).toHaveLength(changes.length);
      for (const change of changes) {
        expect(lines.find((l) => l.kid === change.kid)).toMatchObject({ reason: expect.stringMatching(/rotation/) });
      }
    });

    const short = (iso: string | null) => iso!.replace(/\.\d{3}Z$/, 'Z');

    it('refuses a rotation the rules forbid and says why; --force overrides and says what it risks', async () => {
      const initial = await keys();
      const before = family(initial, 'RS256');

      const young = await badInput(['keys', 'rotate', '--alg', 'RS256'], /has been served by every instance for \d+s, but RPs may cache the JWKS for 900s/);
      expect(young).toContain(`next key ${before.next.kid}`);
      expect(young).toContain('--force');
      // All families at once: refused as a whole, naming the family that refused.
      await badInput(['keys', 'rotate'], /^sesame: RS256: next key \S+ has been served by every instance for/);
      expect(await keys()).toEqual(initial);

      const forced = await sesame(['keys', 'rotate', '--alg', 'RS256', '--force', '--json']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toMatch(/^sesame: warning: [^\n]*cached JWKS lacks[^\n]*refetches[^\n]*removed early[^\n]*fail[^\n]*\n$/);
      expect(forced.json.changes.map((c: { kind: string }) => c.kind)).toEqual(['retire', 'activate', 'create']);
      for (const change of forced.json.changes) {
        expect(change).toMatchObject({ alg: 'RS256', kid: expect.any(String), reason: expect.stringMatching(/rotation/) });
      }

      const after = await keys();
      const rs = family(after, 'RS256');
      expect(rs.retired).toMatchObject({ kid: before.active.kid, retired_at: expect.any(String), expires_at: expect.any(String) });
      // Published until everything it signed has expired: sessions (id_token_hint) live at most
      // SESSION_MAX_AGE, 21 days; plus one KEY_SYNC_INTERVAL (5s).
      expect(Date.parse(rs.retired.expires_at!) - Date.parse(rs.retired.retired_at!)).toBe(21 * 24 * HOUR + 5000);
      expect(forced.json.changes[0]).toMatchObject({ kind: 'retire', kid: before.active.kid, expires_at: rs.retired.expires_at });
      expect(rs.active).toMatchObject({ kid: before.next.kid, activated_at: expect.any(String) });
      expect([before.active.kid, before.next.kid]).not.toContain(rs.next.kid);
      expect(forced.json.changes[2].kid).toBe(rs.next.kid);
      expect(family(after, 'ES256')).toEqual(family(initial, 'ES256'));

      // The new next key is young: refused again.
      await badInput(['keys', 'rotate', '--alg', 'RS256'], /RPs may cache the JWKS/);
      // Once it is old enough, the retired key would be removed while it still verifies tokens.
      await publishedAgo(rs.next.kid, HOUR);
      const early = await badInput(['keys', 'rotate', '--alg', 'RS256'], /still verifies tokens until \S+; rotating now would remove it early/);
      expect(early).toContain(`retired key ${rs.retired.kid}`);

      const human = await sesame(['keys', 'rotate', '--alg', 'RS256', '--force']);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stderr).toMatch(/^sesame: warning: [^\n]+\n$/);
      const third = family(await keys(), 'RS256');
      expect(third.active.kid).toBe(rs.next.kid);
      expect(third.retired.kid).toBe(rs.active.kid);
      expect(human.stdout).toBe(
        `rotated RS256: ${rs.next.kid} is now active, ${rs.active.kid} retired until ${short(third.retired.expires_at)}, ` +
          `previous retired key ${rs.retired.kid} deleted, new next ${third.next.kid}\n`,
      );
      expect((await keys()).map((k) => k.kid)).not.toContain(rs.retired.kid);
    });

    it('rotates every family whose next key is old enough without --force, and only enabled algorithms', async () => {
      const initial = await keys();
      const [rs, es] = [family(initial, 'RS256'), family(initial, 'ES256')];
      await publishedAgo(rs.next.kid, HOUR);
      await publishedAgo(es.next.kid, HOUR);

      const run = await sesame(['keys', 'rotate']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      const line = (alg: string, f: typeof rs) =>
        `rotated ${alg}: ${f.next.kid} is now active, ${f.active.kid} retired until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, new next [\\w-]{43}`;
      expect(run.stdout).toMatch(new RegExp(`^${line('RS256', rs)}\\n${line('ES256', es)}\\n$`));
      const after = await keys();
      for (const [alg, f] of [
        ['RS256', rs],
        ['ES256', es],
      ] as const) {
        expect(family(after, alg).active.kid).toBe(f.next.kid);
        expect(family(after, alg).retired.kid).toBe(f.active.kid);
      }

      await badInput(['keys', 'rotate', '--alg', 'PS256'], /^sesame: algorithm PS256 is not enabled; SIGNING_ALGS has RS256, ES256\n$/);
      await badInput(['keys', 'rotate', '--alg', 'HS256', '--force'], /algorithm HS256 is not enabled/);
      await badInput(['keys', 'rotate', '--alg'], /--alg needs a value/);
      await badInput(['keys', 'rotate', 'RS256'], /unexpected argument/);
      expect(await keys()).toEqual(after);
    });

    it('revokes a key: out of the JWKS at once, the next key takes over, and only once', async () => {
      await badInput(['keys', 'revoke', 'no-such-kid'], /^sesame: no signing key with kid no-such-kid\n$/);
      await badInput(['keys', 'revoke'], /keys revoke needs KID/);
      await badInput(['keys', 'revoke', '--', '-no-such-kid'], /^sesame: no signing key with kid -no-such-kid\n$/);

      const initial = await keys();
      const rs = family(initial, 'RS256');
      const run = await sesame(revoke(rs.active.kid));
      expect(run.code, run.stderr).toBe(0);
      // A fresh key set has no retired key to sign instead: the young next key takes over, with a warning.
      expect(run.stderr).toMatch(
        /^sesame: warning: next key \S+ has been served by every instance for 0s of the 900s RPs may cache the JWKS, and no retired key could sign instead: for up to 900s/,
      );
      const after = await keys();
      const now = family(after, 'RS256');
      expect(after.find((k) => k.kid === rs.active.kid)).toMatchObject({ state: 'revoked', revoked_at: expect.any(String), expires_at: null });
      expect(now.active.kid).toBe(rs.next.kid);
      expect([rs.active.kid, rs.next.kid]).not.toContain(now.next.kid);
      expect(run.stdout).toBe(
        [
          `revoked RS256: ${rs.active.kid} revoked, ${rs.next.kid} is now active, new next ${now.next.kid}`,
          'sessions and grants from while it signed are kept; --revoke-grants ends them too',
          `running instances stop serving ${rs.active.kid} within a second (KEY_SYNC_INTERVAL, 5s, at the latest)`,
          '',
        ].join('\n'),
      );
      await withContainer(async (c) => {
        expect((await c.keys.publishedKeySet()).keys.map((k) => k.kid)).not.toContain(rs.active.kid);
        expect((await c.keys.signingJwks()).map((k) => k.kid)).not.toContain(rs.active.kid);
      });
      const table = await sesame(['keys', 'list']);
      expect(table.stdout.split('\n')[0]).toMatch(/\sEXPIRES\s+REVOKED$/);

      await badInput(revoke(rs.active.kid), /already revoked/);
      expect(await keys()).toEqual(after);

      // A next key never signed: its family just gets a new next key.
      const es = family(after, 'ES256');
      const json = await sesame(revoke(es.next.kid, '--json'));
      expect(json.code, json.stderr).toBe(0);
      expect(json.json.changes.map((c: { kind: string }) => c.kind)).toEqual(['revoke', 'create']);
      expect(json.json).not.toHaveProperty('revoked_grants');
      const esAfter = family(await keys(), 'ES256');
      expect(esAfter.active.kid).toBe(es.active.kid);
      expect(esAfter.next.kid).toBe(json.json.changes[1].kid);
    });

    it('with --revoke-grants, revokes the sessions, grants and tokens from while the key signed and says how many', async () => {
      await withContainer(async (c) => {
        const later = new Date(Date.now() + HOUR);
        await c.payloads.upsert('Session', 'session-1', '{}', { expiresAt: later });
        await c.payloads.upsert('Grant', 'grant-1', '{}', { expiresAt: later });
        await c.payloads.upsert('AccessToken', 'token-1', '{}', { grantId: 'grant-1', expiresAt: later });
      });
      const rs = family(await keys(), 'RS256');
      const run = await sesame(revoke(rs.active.kid, '--revoke-grants'));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('\n')).toContain('revoked 3 sessions, grants and tokens');
      expect(run.stdout).not.toContain('--revoke-grants');
      await withContainer(async (c) => {
        expect(await c.payloads.find('Session', 'session-1')).toBeNull();
        expect(await c.payloads.find('Grant', 'grant-1')).toBeNull();
        expect(await c.payloads.find('AccessToken', 'token-1')).toBeNull();
      });

      const es = family(await keys(), 'ES256');
      const json = await sesame(revoke(es.active.kid, '--revoke-grants', '--json'));
      expect(json.code, json.stderr).toBe(0);
      expect(json.json).toMatchObject({ revoked_grants: 0, changes: [{ kind: 'revoke', kid: es.active.kid }, { kind: 'activate' }, { kind: 'create' }] });
    });

    it('rewraps private keys and client secrets under a new KEY_ENCRYPTION_SECRET', async () => {
      const OLD = env.KEY_ENCRYPTION_SECRET!;
      const NEW = 'a-brand-new-key-encryption-secret-0123456789';
      // A retired key (sealed) and a revoked one (nothing left to seal) besides the usual pairs.
      expect((await sesame(['keys', 'rotate', '--alg', 'RS256', '--force'])).code).toBe(0);
      expect((await sesame(revoke(family(await keys(), 'ES256').next.kid))).code).toBe(0);
      const sealedKeys = (await keys()).filter((k) => k.state !== 'revoked');
      expect(sealedKeys).toHaveLength(5);
      const web = await sesame(['clients', 'create', '--name', 'Web', '--redirect-uri', 'https://w.example.com/cb', '--json']);
      const machine = await sesame(['clients', 'create', '--name', 'Job', '--grant-type', 'client_credentials', '--json']);
      const spa = await sesame(['clients', 'create', '--name', 'SPA', '--redirect-uri', 'https://s.example.com/cb', '--public', '--json']);
      expect([web.code, machine.code, spa.code]).toEqual([0, 0, 0]);

      // Under NEW alone nothing opens yet; rewrapping needs OLD too.
      await withContainer(
        async (c) => {
          await expect(c.keys.signingJwks()).rejects.toThrow(/no longer configured/);
          await expect(c.clients.findForProvider(web.json.client_id)).rejects.toThrow(/no longer configured/);
        },
        { KEY_ENCRYPTION_SECRET: NEW },
      );
      env = { ...env, KEY_ENCRYPTION_SECRET: NEW };
      const missing = await sesame(['keys', 'rewrap']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^sesame: [^\n]*KEY_ENCRYPTION_SECRET[^\n]*\n$/);

      env = { ...env, KEY_ENCRYPTION_SECRET: `${NEW},${OLD}` };
      const first = await sesame(['keys', 'rewrap']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout.split('\n')[0]).toBe('re-encrypted 5 signing keys and 2 client secrets under the current KEY_ENCRYPTION_SECRET');
      const second = await sesame(['keys', 'rewrap', '--json']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.json).toEqual({ signing_keys: 0, client_secrets: 0 });
      expect((await sesame(['keys', 'rewrap'])).stdout).toBe('re-encrypted 0 signing keys and 0 client secrets under the current KEY_ENCRYPTION_SECRET\n');

      // Now NEW alone opens everything.
      await withContainer(
        async (c) => {
          expect((await c.keys.signingJwks()).map((k) => k.kid).sort()).toEqual(sealedKeys.map((k) => k.kid).sort());
          expect(await c.clients.findForProvider(web.json.client_id)).toMatchObject({ client_secret: web.json.client_secret });
          expect(await c.clients.findForProvider(machine.json.client_id)).toMatchObject({ client_secret: machine.json.client_secret });
          expect(await c.clients.findForProvider(spa.json.client_id)).not.toHaveProperty('client_secret');
        },
        { KEY_ENCRYPTION_SECRET: NEW },
      );
    });
  });

  it('runs as the built bin (node bin/sesame.js), reading --password-stdin from the pipe', async () => {
    expect(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')), 'build first: npm run build').toBe(true);
    const bin = (argv: string[], input = '') =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, 'bin', 'sesame.js'), ...argv], {
          cwd: ROOT,
          env: { PATH: process.env.PATH, ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input);
      });

    const created = await bin(['users', 'create', '--email', 'bin@example.com', '--password-stdin'], 'a password from a pipe\n');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created user bin@example\.com \(sub [\w-]+\)\n$/);

    const list = await bin(['users', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ email: 'bin@example.com' }));

    const bad = await bin(['users', 'delete', 'nobody@example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('sesame: no user with email nobody@example.com\n');
  });
});
