// Configuration as code: `sesame apply` and `sesame export` through the CLI entry, the service
// directly, and SESAME_CONFIG at start-up (a fixed secret then works at /token), on both databases.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { parseConfiguration } from '../../src/domain/configuration/apply-service.js';
import { CONSOLE_CLIENT_ID } from '../../src/domain/clients/reserved.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, PROVIDERS, type TestDatabase } from '../helpers/databases.js';
import { startTestSesame } from '../helpers/sesame.js';

const SECRETS = { KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64'), COOKIE_KEYS: randomBytes(32).toString('base64') };
const APP_SECRET = randomBytes(32).toString('base64url');
const MACHINE_SECRET = randomBytes(32).toString('base64url');

const FILE = `
clients:
  - client_id: app
    name: The app
    redirect_uris: [https://app.example.com/callback]
    secret: { env: APP_SECRET }
    require_mfa: true
    allowed_groups: [devs]
    extra_claims:
      role: { attribute: grafana_role }
      tier: { value: gold }
  - client_id: spa
    name: SPA
    public: true
    redirect_uris: [https://spa.example.com/callback]
    post_logout_redirect_uris: [https://spa.example.com/]
  - client_id: machine
    name: Machine
    grant_types: [client_credentials]
    scope: ""
    secret: { env: MACHINE_SECRET }
users:
  - email: Ada@Example.com
    name: Ada
    admin: true
    email_verified: true
    attributes: { grafana_role: Admin, level: 3 }
  - email: bob@example.com
groups:
  - name: devs
    description: Developers
    members: [Ada@Example.com]
  - name: empty
`;

describe.each(PROVIDERS)('configuration as code on %s', (provider) => {
  let db: TestDatabase;
  let dir: string;
  const env = () => ({ DATABASE_URL: db.url, NODE_ENV: 'test', ...SECRETS, APP_SECRET, MACHINE_SECRET });

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    dir = mkdtempSync(join(tmpdir(), 'sesame-apply-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sesame(argv: string[], options: { env?: Record<string, string> } = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: options.env ?? env(), cwd: dir });
    return { code, stdout, stderr, json: argv.includes('--json') && code === 0 ? JSON.parse(stdout) : undefined };
  }

  function file(name: string, text: string): string {
    writeFileSync(join(dir, name), text);
    return name;
  }

  async function exported(options: { env?: Record<string, string> } = {}): Promise<string> {
    const run = await sesame(['export'], options);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout;
  }

  it('creates what the file declares, then a second apply changes nothing and says so', async () => {
    const first = await sesame(['apply', '-f', file('sesame.yaml', FILE), '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.applied).toBe(true);
    expect(first.json.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`)).toEqual([
      // People before the groups that list them, groups before the clients that allow them.
      'create user ada@example.com',
      'create user bob@example.com',
      'create group devs',
      'create group empty',
      'create client app',
      'create client spa',
      'create client machine',
    ]);
    expect(first.stdout).not.toContain(APP_SECRET);

    const again = await sesame(['apply', '-f', 'sesame.yaml']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('no changes: the database already matches the file\n');

    const container = await createContainer(loadConfig(env()), silentLogger);
    try {
      const app = await container.clients.get('app');
      expect(app).toMatchObject({
        client_name: 'The app',
        require_mfa: true,
        token_endpoint_auth_method: 'client_secret_basic',
        allowed_groups: ['devs'],
        extra_claims: { role: { attribute: 'grafana_role' }, tier: { value: 'gold' } },
      });
      expect(await container.clients.secretIs('app', APP_SECRET)).toBe(true);
      expect((await container.clients.get('spa')).token_endpoint_auth_method).toBe('none');
      const ada = await container.accounts.findByEmail('ada@example.com');
      expect(ada).toMatchObject({ name: 'Ada', isAdmin: true, emailVerified: true, attributes: { grafana_role: 'Admin', level: 3 } });
      expect((await container.groups.get('devs')).members.map((m) => m.email)).toEqual(['ada@example.com']);
      expect(await container.groups.get('empty')).toMatchObject({ description: null, member_count: 0 });
      expect(await container.accounts.hasPassword(ada!.id)).toBe(false);
      // Through the domain services: audited as the CLI user, like any other change.
      const { events } = await container.audit.list({ action: 'client.created' });
      expect(events.map((e) => [e.target, e.actor])).toEqual(
        expect.arrayContaining([
          ['client:app', expect.stringMatching(/^cli/)],
          ['client:machine', expect.stringMatching(/^cli/)],
        ]),
      );
    } finally {
      await container.close();
    }
  });

  it('prints a dry run as a diff and changes nothing', async () => {
    const before = await exported();
    const changed = FILE.replace('name: The app', 'name: The new app')
      .replace('require_mfa: true', 'require_mfa: false')
      .replace('  - email: bob@example.com\n', '');
    const run = await sesame(['apply', '-f', file('changed.yaml', changed), '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      ['~ client app', '    name: "The app" → "The new app"', '    require_mfa: true → false', 'dry run: 1 change planned, nothing changed', ''].join('\n'),
    );
    const pruned = await sesame(['apply', '-f', 'changed.yaml', '--dry-run', '--prune', '--json']);
    expect(pruned.json.applied).toBe(false);
    expect(pruned.json.changes.at(-1)).toMatchObject({ action: 'delete', kind: 'user', id: 'bob@example.com' });
    expect(await exported()).toBe(before);
  });

  it('with --prune removes what the file no longer declares, never the console client nor the last admin', async () => {
    const container = await createContainer(loadConfig(env()), silentLogger);
    try {
      await container.clients.ensureConsole();
      await container.clients.create({ client_name: 'By hand', redirect_uris: ['https://hand.example.com/cb'] });
    } finally {
      await container.close();
    }
    const smaller = FILE.split('  - client_id: machine')[0] + 'users:\n  - email: ada@example.com\n';
    const withoutPrune = await sesame(['apply', '-f', file('smaller.yaml', smaller)]);
    expect(withoutPrune.stdout).toBe('no changes: the database already matches the file\n');

    const run = await sesame(['apply', '-f', 'smaller.yaml', '--prune']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^- client machine$/m);
    expect(run.stdout).toMatch(/^- client [\w-]+\n {4}name: "By hand"$/m);
    expect(run.stdout).toMatch(/^- user bob@example\.com$/m);
    expect(run.stdout).not.toContain(CONSOLE_CLIENT_ID);
    const clients = (await sesame(['clients', 'list', '--json'])).json.map((c: { client_id: string }) => c.client_id).sort();
    expect(clients).toEqual(['app', CONSOLE_CLIENT_ID, 'spa'].sort());

    // Declaring the console's client is refused; so is leaving no admin.
    const consoleFile = file('console.yaml', `clients:\n  - client_id: ${CONSOLE_CLIENT_ID}\n    name: Mine\n    redirect_uris: [https://x.example.com/cb]\n`);
    const refused = await sesame(['apply', '-f', consoleFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^sesame: console\.yaml: clients\[0\]\.client_id: client_id sesame-console is reserved/);
    const noAdmin = await sesame(['apply', '-f', file('no-admin.yaml', 'users:\n  - email: someone@example.com\n'), '--prune']);
    expect(noAdmin.code).toBe(2);
    expect(noAdmin.stderr).toMatch(/^sesame: no-admin\.yaml: users: this would leave no admin/);
    expect((await sesame(['users', 'list', '--json'])).json.map((u: { email: string }) => u.email)).toEqual(['ada@example.com']);
  });

  it('export → apply on an empty database reproduces the clients and users (secrets from the environment)', async () => {
    await sesame(['apply', '-f', 'sesame.yaml']);
    // A client made by hand has a random id (base64url, maybe starting with "-"): exported, it applies too.
    const hand = await sesame(['clients', 'create', '--name', 'By hand', '--redirect-uri', 'https://hand.example.com/cb', '--json']);
    const out = await sesame(['export', '-o', 'exported.yaml']);
    expect(out.stdout).toMatch(/^wrote exported\.yaml: 4 clients, 2 users, 2 groups/);
    const text = await exported();
    expect(text).toContain('secret: { env: CLIENT_APP_SECRET } # placeholder: set CLIENT_APP_SECRET');
    expect(text).not.toContain(APP_SECRET);
    expect(text).not.toContain(CONSOLE_CLIENT_ID);
    for (const line of ['- name: devs', 'members:', '- ada@example.com', 'allowed_groups:', 'extra_claims:', 'grafana_role: Admin']) {
      expect(text).toContain(line);
    }

    const empty = await createTestDatabase(provider);
    try {
      const handSecret = `CLIENT_${hand.json.client_id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SECRET`;
      const other = {
        ...env(),
        DATABASE_URL: empty.url,
        CLIENT_APP_SECRET: APP_SECRET,
        CLIENT_MACHINE_SECRET: MACHINE_SECRET,
        [handSecret]: hand.json.client_secret,
      };
      const run = await sesame(['apply', '-f', 'exported.yaml'], { env: other });
      expect(run.code, run.stderr).toBe(0);
      expect(await exported({ env: other })).toBe(text);
      expect((await sesame(['apply', '-f', 'exported.yaml'], { env: other })).stdout).toMatch(/^no changes/);
      const container = await createContainer(loadConfig(other), silentLogger);
      try {
        expect(await container.clients.secretIs('app', APP_SECRET)).toBe(true);
      } finally {
        await container.close();
      }
    } finally {
      await empty.drop();
    }
  });

  it('changes a secret given in the file (here from a file of its own), through the service', async () => {
    const container = await createContainer(loadConfig(env()), silentLogger);
    try {
      const next = randomBytes(32).toString('base64url');
      writeFileSync(join(dir, 'app-secret'), `${next}\n`);
      const text = FILE.replace('{ env: APP_SECRET }', '{ file: app-secret }');
      const declared = parseConfiguration(text, { env: { MACHINE_SECRET }, baseDir: dir });
      const result = await container.configuration.apply(declared);
      const app = result.changes.find((c) => c.id === 'app');
      expect(app).toEqual({
        action: 'update',
        kind: 'client',
        id: 'app',
        fields: [{ field: 'secret', note: `changed (from file ${join(dir, 'app-secret')})` }],
      });
      expect(await container.clients.secretIs('app', next)).toBe(true);
      expect((await container.configuration.apply(declared)).changes.filter((c) => c.kind === 'client')).toEqual([]);
    } finally {
      await container.close();
    }
  });

  it('mails the invitation of a person it creates only when the file says invite: true', async () => {
    const run = await sesame(['apply', '-f', file('invite.yaml', 'users:\n  - email: carol@example.com\n    invite: true\n  - email: dan@example.com\n')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('+ user carol@example.com\n    admin: false\n    email_verified: false\n    invitation: mailed\n');
    const mails = readdirSync(join(dir, 'data', 'outbox')).map((name) => readFileSync(join(dir, 'data', 'outbox', name), 'utf8'));
    expect(mails.filter((m) => m.includes('carol@example.com'))).toHaveLength(1);
    expect(mails.some((m) => m.includes('dan@example.com'))).toBe(false);
  });

  it('keeps a declared group to its members list (no --prune needed), and deletes undeclared groups only with --prune', async () => {
    await sesame(['apply', '-f', 'sesame.yaml']);
    expect((await sesame(['groups', 'create', 'by-hand'])).code).toBe(0);
    // A new person and the group listing them, in one file: the person is created first.
    const teams = (members: string) =>
      file(
        'teams.yaml',
        `users:\n  - email: ada@example.com\n  - email: bob@example.com\n  - email: erin@example.com\ngroups:\n  - name: devs\n    members: [${members}]\n  - name: empty\n`,
      );
    const dry = await sesame(['apply', '-f', teams('bob@example.com, erin@example.com'), '--dry-run']);
    expect(dry.stdout).toBe(
      [
        '+ user erin@example.com',
        '    admin: false',
        '    email_verified: false',
        '~ group devs',
        '    members: + bob@example.com, + erin@example.com, - ada@example.com',
        'dry run: 2 changes planned, nothing changed',
        '',
      ].join('\n'),
    );
    const run = await sesame(['apply', '-f', 'teams.yaml']);
    expect(run.code, run.stderr).toBe(0);
    expect((await sesame(['groups', 'list', '--json'])).json.map((g: { name: string }) => g.name)).toContain('by-hand');
    expect((await sesame(['apply', '-f', 'teams.yaml'])).stdout).toMatch(/^no changes/);
    const members = await sesame(['groups', 'members', 'devs', '--json']);
    expect(members.json.members.map((m: { email: string }) => m.email).sort()).toEqual(['bob@example.com', 'erin@example.com']);

    const pruned = await sesame(['apply', '-f', 'teams.yaml', '--prune']);
    expect(pruned.code, pruned.stderr).toBe(0);
    // Groups go before the people the file no longer declares (deletes run in reverse order).
    expect(pruned.stdout).toMatch(/^- group by-hand\n- user carol@example\.com\n/);
    expect(pruned.stdout).not.toMatch(/group (devs|empty)/);

    // A group a client still allows is not pruned by a file that leaves clients alone.
    const named = await sesame(['apply', '-f', file('no-groups.yaml', 'groups: []\n'), '--prune']);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^sesame: no-groups\.yaml: groups: --prune would delete group devs, which the allowed_groups of client app names/);
    // Without a groups: section, groups are not the file's business.
    expect((await sesame(['apply', '-f', file('users-only.yaml', 'users:\n  - email: ada@example.com\n')])).stdout).toMatch(/^no changes/);

    // A group a declared client still allows cannot be pruned; taken out of the client too, the
    // client changes first and the group goes after it.
    const noDevs = FILE.replace('  - name: devs\n    description: Developers\n    members: [Ada@Example.com]\n', '');
    const stillNamed = await sesame(['apply', '-f', file('no-devs.yaml', noDevs), '--prune']);
    expect(stillNamed.code).toBe(2);
    expect(stillNamed.stderr).toMatch(/clients\[0\]\.allowed_groups\[0\]: no group named devs: --prune deletes it, as groups: does not declare it/);
    const both = await sesame(['apply', '-f', file('no-rule.yaml', noDevs.replace('    allowed_groups: [devs]\n', '')), '--prune']);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toMatch(/^~ client app\n {4}allowed_groups: \["devs"\] → \(none\)\n(.*\n)*- group devs\n/m);
    expect((await sesame(['apply', '-f', 'sesame.yaml'])).code).toBe(0);
  });

  it('refuses mistakes with exit 2 and the path in the file', async () => {
    const cases: [string, RegExp][] = [
      [
        'clients:\n  - client_id: a\n    name: A\n    redirect_uris: [https://ok.example.com/cb, http://bad.example.com/cb]\n',
        /^sesame: bad\.yaml: clients\[0\]\.redirect_uris\[1\]: redirect URI "http:\/\/bad\.example\.com\/cb" must use https \(http is allowed only for localhost\)\n$/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    redirect_uri: [https://a.example.com/cb]\n',
        /clients\[0\]\.redirect_uri: unknown key \(did you mean redirect_uris\?\)/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    grant_types: [client_credentials]\n    secret: hunter2hunter2\n',
        /clients\[0\]\.secret: a secret is never written in the file/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    grant_types: [client_credentials]\n    secret: { env: NOT_SET_ANYWHERE }\n',
        /clients\[0\]\.secret\.env: environment variable NOT_SET_ANYWHERE is not set/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    grant_types: [client_credentials]\n    secret: { env: WEAK }\n',
        /clients\[0\]\.secret: the client secret does not look random/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    public: true\n    grant_types: [client_credentials]\n',
        /clients\[0\]\.grant_types: a public client cannot use client_credentials/,
      ],
      ['clients:\n  - client_id: "a b"\n    name: A\n', /clients\[0\]\.client_id: client_id must be/],
      ['clients:\n  - client_id: 12345\n    name: A\n', /clients\[0\]\.client_id: must be a string \(put it in quotes: "12345"\)/],
      [
        'clients:\n  - client_id: a\n    name: A\n    grant_types: [client_credentials]\n  - client_id: a\n    name: B\n    grant_types: [client_credentials]\n',
        /clients\[1\]\.client_id: a is declared twice \(also clients\[0\]\)/,
      ],
      ['users:\n  - email: not-an-email\n', /users\[0\]\.email: "not-an-email" is not a valid email address/],
      ['users:\n  - email: a@example.com\n    password: x\n', /users\[0\]\.password: passwords never go in the file/],
      ['users:\n  - email: a@example.com\n    admin: yes please\n', /users\[0\]\.admin: must be true or false/],
      ['roles:\n  - name: x\n', /roles: unknown section; a file declares users, groups, clients/],
      ['groups:\n  - name: "a b"\n', /groups\[0\]\.name: group name "a b" is not valid/],
      ['groups:\n  - name: x\n    members: [ok@example.com, nope]\n', /groups\[0\]\.members\[1\]: "nope" is not a valid email address/],
      // Only the database (and the rest of the file) can tell these: who and what exists once applied.
      [
        'users:\n  - email: ada@example.com\ngroups:\n  - name: x\n  - name: y\n    members: [ada@example.com, nobody@example.com]\n',
        /^sesame: bad\.yaml: groups\[1\]\.members\[1\]: no user nobody@example\.com \(declare it under users: or create it first\)\n$/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    redirect_uris: [https://a.example.com/cb]\n    allowed_groups: [ghosts]\n',
        /clients\[0\]\.allowed_groups\[0\]: no group named ghosts \(declare it under groups: or create it first\)/,
      ],
      [
        'clients:\n  - client_id: a\n    name: A\n    redirect_uris: [https://a.example.com/cb]\n    extra_claims: { sub: { value: x } }\n',
        /clients\[0\]\.extra_claims: .*claim "sub" is reserved/,
      ],
      ['users:\n  - email: a@example.com\n    attributes: { Role: x }\n', /users\[0\]\.attributes\.Role: attribute name "Role" is not valid/],
      ['users:\n  - email: a@example.com\n    attributes: { role: { nested: 1 } }\n', /users\[0\]\.attributes\.role: attribute role must be text/],
      ['clients: [\n', /not valid YAML/],
      // Only the database knows this one: spa is public and cannot become confidential.
      [
        'clients:\n  - client_id: spa\n    name: SPA\n    redirect_uris: [https://spa.example.com/callback]\n',
        /clients\[0\]\.token_endpoint_auth_method: client spa is public and cannot become confidential/,
      ],
    ];
    for (const [text, message] of cases) {
      const run = await sesame(['apply', '-f', file('bad.yaml', text)], { env: { ...env(), WEAK: 'a'.repeat(40) } });
      expect(run.code, `${text}\n${run.stderr}`).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^sesame: bad\.yaml: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
    }
    expect((await sesame(['apply', '-f', 'missing.yaml'])).stderr).toBe('sesame: apply: cannot read missing.yaml (ENOENT)\n');
  });

  it('applies SESAME_CONFIG at start-up: the fixed secret works at /token; a bad file stops start-up with its path', async () => {
    const empty = await createTestDatabase(provider);
    const path = join(dir, 'sesame.yaml');
    const sesameServer = await startTestSesame({ db: empty, env: { SESAME_CONFIG: path, APP_SECRET, MACHINE_SECRET } });
    try {
      const response = await fetch(`${sesameServer.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`machine:${MACHINE_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(((await response.json()) as { access_token?: string }).access_token).toEqual(expect.any(String));
      expect((await sesameServer.container.accounts.findByEmail('ada@example.com'))?.isAdmin).toBe(true);
    } finally {
      await sesameServer.close();
    }
    writeFileSync(join(dir, 'start.yaml'), 'clients:\n  - client_id: a\n    name: A\n    redirect_uris: [http://bad.example.com/cb]\n');
    const bad = startTestSesame({ db: empty, env: { SESAME_CONFIG: join(dir, 'start.yaml') } });
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await expect(bad).rejects.toThrow(
      /^SESAME_CONFIG=.*start\.yaml: clients\[0\]\.redirect_uris\[0\]: redirect URI "http:\/\/bad\.example\.com\/cb" must use https/,
    );
    await empty.drop();
  });
});
