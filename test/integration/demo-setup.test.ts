// docker-compose.yml's demo without Docker. There is no Docker engine here, so what the compose
// file relies on is checked piece by piece:
// - its demo-setup step, `node scripts/demo.mjs --setup-only`, run as a child process against a
//   real Sesame with the compose file's own app URLs: the user, both clients (public URLs for
//   redirects and the API, other URLs for back-channel logout), the clients file, idempotence;
// - the compose file itself, read as text: every variable it sets is one the program of that
//   service reads, the services agree on the issuer, the clients file and the app URLs, and the
//   image keeps what the demo apps import.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../helpers/databases.js';
import { startTestSesame, TEST_SECRETS, type TestSesame } from '../helpers/sesame.js';

const ROOT = join(import.meta.dirname, '..', '..');
const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// docker-compose.yml as text: just enough to find each service's environment.

/** Top-level keys (column 0) and services (column 2 under `services:`), each with its lines. */
function composeBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  let top = '';
  let current = '';
  for (const line of COMPOSE.split('\n')) {
    const topKey = /^([a-z][\w-]*):/.exec(line);
    const serviceKey = top === 'services' ? /^ {2}([a-z][\w-]*):/.exec(line) : null;
    if (topKey) current = top = topKey[1]!;
    else if (serviceKey) current = serviceKey[1]!;
    blocks.set(current, (blocks.get(current) ?? '') + line + '\n');
  }
  return blocks;
}

/** A service's environment: `NAME: value` lines in its block and in the anchors it uses (`*name`). */
function serviceEnvironment(service: string): Map<string, string> {
  const blocks = composeBlocks();
  const anchors = new Map<string, string>();
  for (const [, text] of blocks) {
    const anchor = /:\s+&([\w-]+)\s*$/m.exec(text);
    if (anchor) anchors.set(anchor[1]!, text);
  }
  const env = new Map<string, string>();
  const visit = (text: string, seen: Set<string>) => {
    for (const [, name] of text.matchAll(/:\s+\*([\w-]+)\s*$/gm)) {
      if (!seen.has(name!) && anchors.has(name!)) visit(anchors.get(name!)!, seen.add(name!));
    }
    for (const [, name, value] of text.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s*(.*)$/gm)) {
      env.set(name!, value!.trim().replace(/^"(.*)"$/, '$1'));
    }
  };
  const text = blocks.get(service);
  if (!text) throw new Error(`docker-compose.yml has no service ${service}`);
  visit(text, new Set());
  return env;
}

const SERVICES = {
  // Sesame itself: src/config.ts is the only reader of its environment.
  'sesame-a': ['src/config.ts'],
  'sesame-b': ['src/config.ts'],
  // demo.mjs, and the sesame CLI it runs (same configuration as the server).
  'demo-setup': ['scripts/demo.mjs', 'src/config.ts'],
  'app-a': ['examples/demo-rp/server.ts'],
  'app-b': ['examples/demo-rp/server.ts'],
} as const;

/** Read by programs that are not ours: Node.js itself, the postgres image. */
const READ_ELSEWHERE = new Set(['NODE_EXTRA_CA_CERTS', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);

/** Whether the file reads that variable: env.NAME, or NAME as a string handed to a reader. */
function reads(file: string, name: string): boolean {
  return new RegExp(`env\\.${name}\\b|['"\`]${name}['"\`]`).test(source(file));
}

describe('docker-compose.yml', () => {
  it('sets only variables that the program of each service reads', () => {
    const unread: string[] = [];
    for (const [service, files] of Object.entries(SERVICES)) {
      expect(serviceEnvironment(service).size, `${service} sets variables`).toBeGreaterThan(0);
      for (const name of serviceEnvironment(service).keys()) {
        if (!READ_ELSEWHERE.has(name) && !files.some((file) => reads(file, name))) unread.push(`${service}: ${name}`);
      }
    }
    expect(unread).toEqual([]);
    expect(serviceEnvironment('postgres').size).toBeGreaterThan(0);
    for (const name of serviceEnvironment('postgres').keys()) expect(READ_ELSEWHERE.has(name), name).toBe(true);
  });

  it('gives every container the same issuer, clients file and CA, and the apps the URLs they were registered with', () => {
    const [a, b, setup, sesameA, sesameB] = ['app-a', 'app-b', 'demo-setup', 'sesame-a', 'sesame-b'].map(serviceEnvironment) as [
      Map<string, string>,
      Map<string, string>,
      Map<string, string>,
      Map<string, string>,
      Map<string, string>,
    ];
    const issuer = 'https://sesame.localhost:8443';
    expect([sesameA.get('ISSUER'), sesameB.get('ISSUER'), setup.get('DEMO_ISSUER'), a.get('DEMO_ISSUER'), b.get('DEMO_ISSUER')]).toEqual(Array(5).fill(issuer));
    // The proxy answers for the issuer on the same port inside the network and on the host.
    expect(COMPOSE).toContain('- sesame.localhost\n');
    expect(COMPOSE).toContain('"8443:8443"');
    expect(COMPOSE).toContain(`${issuer} {`);

    expect(new Set([setup, a, b].map((env) => env.get('DEMO_CLIENTS_FILE')))).toEqual(new Set(['/demo/demo-clients.json']));
    // Node reads NODE_EXTRA_CA_CERTS where the proxy exports Caddy's root certificate.
    for (const env of [sesameA, sesameB, setup, a, b]) expect(env.get('NODE_EXTRA_CA_CERTS')).toBe('/caddy-root/root.crt');
    expect(COMPOSE).toContain('mv /caddy-root/root.crt.tmp /caddy-root/root.crt');
    expect(COMPOSE).toContain('until [ -s /data/caddy/pki/authorities/local/root.crt ]');

    for (const [app, env, letter] of [
      [a, setup, 'A'],
      [b, setup, 'B'],
    ] as const) {
      const baseUrl = app.get('DEMO_BASE_URL')!;
      // Registered for the URL the app builds its redirect URI and API audience from.
      expect(env.get(`DEMO_APP_${letter}_URL`)).toBe(baseUrl);
      // Published on the same port it listens on, so that URL also reaches it from its own container.
      const port = app.get('DEMO_PORT')!;
      expect(baseUrl).toBe(`http://localhost:${port}`);
      expect(COMPOSE).toContain(`"${port}:${port}"`);
      // Back-channel logout: a proxy alias whose Caddy site forwards /backchannel-logout to the app.
      const backchannel = new URL(env.get(`DEMO_APP_${letter}_BACKCHANNEL_URL`)!);
      const service = `app-${letter.toLowerCase()}`;
      expect(backchannel.href).toBe(`https://${service}.localhost:8443/backchannel-logout`);
      expect(COMPOSE).toContain(`- ${service}.localhost\n`);
      expect(COMPOSE).toMatch(new RegExp(`https://${service}\\.localhost:8443 \\{\\s*handle /backchannel-logout \\{\\s*reverse_proxy ${service}:${port}\\s`));
    }
  });

  it('runs from an image that keeps what the demo apps import (npm prune --omit=dev drops devDependencies)', () => {
    const { dependencies } = JSON.parse(source('package.json')) as { dependencies: Record<string, string> };
    const dir = join('examples', 'demo-rp');
    const imported = new Set<string>();
    for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts'))) {
      for (const [, specifier] of source(join(dir, file)).matchAll(/^import (?!type )[^'"]*['"]([^'"]+)['"]/gm)) {
        if (specifier!.startsWith('.') || specifier!.startsWith('node:')) continue;
        imported.add(specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!);
      }
    }
    expect(imported.size).toBeGreaterThan(0);
    expect([...imported].filter((name) => !(name in dependencies))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The demo-setup service's command against a real Sesame.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface ClientsFile {
  [name: string]: { client_id: string; client_secret: string };
}

describe.each(PROVIDERS)('node scripts/demo.mjs --setup-only on %s', (provider) => {
  const setup = serviceEnvironment('demo-setup');
  // The compose file's URLs: the test registers exactly what the compose demo registers.
  const urls = {
    DEMO_APP_A_URL: setup.get('DEMO_APP_A_URL')!,
    DEMO_APP_B_URL: setup.get('DEMO_APP_B_URL')!,
    DEMO_APP_A_BACKCHANNEL_URL: setup.get('DEMO_APP_A_BACKCHANNEL_URL')!,
    DEMO_APP_B_BACKCHANNEL_URL: setup.get('DEMO_APP_B_BACKCHANNEL_URL')!,
  };
  let sesame: TestSesame;
  let dir: string;
  let clientsFile: string;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider });
    dir = mkdtempSync(join(tmpdir(), 'sesame-demo-setup-'));
    clientsFile = join(dir, 'demo', 'demo-clients.json');
  });
  afterAll(async () => {
    await sesame?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function runSetup(): Promise<Run> {
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: sesame.db.url,
      ...TEST_SECRETS,
      DEMO_ISSUER: sesame.issuer,
      DEMO_CLIENTS_FILE: clientsFile,
      ...urls,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [join(ROOT, 'scripts', 'demo.mjs'), '--setup-only'], { cwd: ROOT, env, timeout: 90_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  }

  const readClients = () => JSON.parse(readFileSync(clientsFile, 'utf8')) as ClientsFile;

  /** What Sesame says to these credentials with a bogus code: invalid_grant if they are right. */
  async function tokenError(clientId: string, clientSecret: string): Promise<string> {
    const response = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'nope',
        redirect_uri: `${urls.DEMO_APP_A_URL}/callback`,
        code_verifier: 'x'.repeat(43),
      }),
    });
    return ((await response.json()) as { error: string }).error;
  }

  it('creates the demo user and both clients, with distinct public and back-channel URLs, and writes the clients file', async () => {
    const run = await runSetup();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('[demo] demo user demo@example.com: created');
    expect(run.stdout).not.toContain('open sesame');

    const file = readClients();
    expect(Object.keys(file).sort()).toEqual(['Demo App A', 'Demo App B']);

    // Besides the admin console's own client, which every instance registers at start-up.
    const registered = (await sesame.container.clients.list()).filter((c) => c.client_id !== 'sesame-console');
    expect(registered).toHaveLength(2);
    for (const [name, letter] of [
      ['Demo App A', 'A'],
      ['Demo App B', 'B'],
    ] as const) {
      const baseUrl = urls[`DEMO_APP_${letter}_URL`];
      const client = registered.find((c) => c.client_name === name);
      expect(client, name).toBeDefined();
      expect(client).toMatchObject({
        client_id: file[name]!.client_id,
        redirect_uris: [`${baseUrl}/callback`],
        post_logout_redirect_uris: [`${baseUrl}/`],
        backchannel_logout_uri: urls[`DEMO_APP_${letter}_BACKCHANNEL_URL`],
        resources: [`${baseUrl}/api`],
        scope: 'openid profile email offline_access api',
        token_endpoint_auth_method: 'client_secret_basic',
      });
      expect(client!.backchannel_logout_uri).not.toBe(`${baseUrl}/backchannel-logout`);
      // The secret on file is the one Sesame holds.
      expect(await tokenError(file[name]!.client_id, file[name]!.client_secret)).toBe('invalid_grant');
      expect(await tokenError(file[name]!.client_id, 'not-the-secret')).toBe('invalid_client');
    }

    expect(await sesame.container.accounts.authenticate('demo@example.com', 'open sesame')).toMatchObject({ accountId: expect.any(String) });
  }, 120_000);

  it('changes nothing on a second run: same clients, same secrets, one user', async () => {
    const before = readClients();
    const run = await runSetup();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('[demo] demo user demo@example.com: exists');
    expect(run.stdout).toContain(`[demo] client "Demo App A": exists (${before['Demo App A']!.client_id})`);
    expect(run.stdout).toContain(`[demo] client "Demo App B": exists (${before['Demo App B']!.client_id})`);
    expect(readClients()).toEqual(before);
    expect((await sesame.container.clients.list()).map((c) => c.client_id).sort()).toEqual(
      [before['Demo App A']!.client_id, before['Demo App B']!.client_id, 'sesame-console'].sort(),
    );
    expect((await sesame.container.accounts.list()).filter((u) => u.email === 'demo@example.com')).toHaveLength(1);
  }, 120_000);

  it('refuses what it does not understand before touching anything', async () => {
    const run = await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'scripts', 'demo.mjs'), '--setup-only'],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DEMO_ISSUER: 'not a url', DEMO_CLIENTS_FILE: join(dir, 'other.json') } },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('demo: DEMO_ISSUER "not a url" is not an absolute URL\n');
  });
});
