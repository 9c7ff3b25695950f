// `npm run demo`: Sesame plus two demo apps (examples/demo-rp) that sign in with it.
//
// Starts Sesame (dist/src/main.js), waits for /readyz, makes sure the demo user and the two demo
// clients exist (through the `sesame` CLI, so it works on whatever DATABASE_URL / .env names),
// starts App A and App B, prints where everything is, and stops it all on Ctrl-C.
//
// `node scripts/demo.mjs --setup-only` starts nothing: it waits for an already running Sesame
// (DEMO_ISSUER), creates the demo user and both clients if they are missing, writes the clients
// file and exits (0 when done). docker-compose.yml runs it once before the two app containers.
//
// Client secrets are shown once by Sesame, so the demo keeps its two in data/demo-clients.json
// ({ "Demo App A": { client_id, client_secret }, "Demo App B": { ... } }, which
// examples/demo-rp/server.ts reads with DEMO_CLIENTS_FILE and DEMO_APP); if that file is lost while
// the clients still exist, their secrets are rotated.
//
// Settings (environment): DEMO_SESAME_PORT (3000), DEMO_APP_A_PORT (4001), DEMO_APP_B_PORT (4002),
// DEMO_CLIENTS_FILE (data/demo-clients.json); Sesame's own variables (DATABASE_URL, LOG_LEVEL
// defaulting to warn here, ...) pass through. With --setup-only also:
//   DEMO_ISSUER                 Sesame's issuer (http://localhost:$DEMO_SESAME_PORT)
//   DEMO_APP_A_URL, _B_URL      where browsers reach the apps (http://localhost:$DEMO_APP_A_PORT, ...):
//                               redirect and post-logout URIs, and the API resource <URL>/api
//   DEMO_APP_A_BACKCHANNEL_URL, DEMO_APP_B_BACKCHANNEL_URL
//                               where Sesame posts back-channel logout tokens (<app URL>/backchannel-logout);
//                               differs from the public URL when Sesame reaches the apps another way
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;

/** @type {Map<string, import('node:child_process').ChildProcess>} */
const children = new Map();
let stopping = false;

const args = process.argv.slice(2);
const SETUP_ONLY = args.includes('--setup-only');
for (const arg of args) {
  if (arg !== '--setup-only') fail(`unknown argument "${arg}"; the only option is --setup-only`, 2);
}

const DEMO_USER = { email: 'demo@example.com', password: 'open sesame', name: 'Demo User' };
const SCOPE = 'openid profile email offline_access api';
const SECRETS_FILE = env.DEMO_CLIENTS_FILE || join(root, 'data', 'demo-clients.json');

function port(name, fallback) {
  const value = env[name] ?? String(fallback);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name} "${value}" is not a port number (1-65535)`, 2);
  return n;
}

/** An absolute http(s) URL from the environment, without a trailing slash. */
function url(name, fallback) {
  const value = env[name] || fallback;
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    fail(`${name} "${value}" is not an absolute URL`, 2);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail(`${name} "${value}" is not an http(s) URL`, 2);
  if (parsed.search || parsed.hash) fail(`${name} "${value}" must not have a query or fragment`, 2);
  return value.replace(/\/+$/, '');
}

const sesamePort = port('DEMO_SESAME_PORT', 3000);
// Without --setup-only the demo starts Sesame itself, on localhost; otherwise Sesame runs elsewhere.
const issuer = SETUP_ONLY ? url('DEMO_ISSUER', `http://localhost:${sesamePort}`) : `http://localhost:${sesamePort}`;
const apps = [
  { label: 'app-a', name: 'Demo App A', port: port('DEMO_APP_A_PORT', 4001), urlVar: 'DEMO_APP_A_URL', backchannelVar: 'DEMO_APP_A_BACKCHANNEL_URL' },
  { label: 'app-b', name: 'Demo App B', port: port('DEMO_APP_B_PORT', 4002), urlVar: 'DEMO_APP_B_URL', backchannelVar: 'DEMO_APP_B_BACKCHANNEL_URL' },
].map((app) => {
  const local = `http://localhost:${app.port}`;
  // The public URL (what browsers open: redirect URIs, the API resource) and the URL Sesame posts
  // back-channel logout tokens to are the same unless --setup-only is told otherwise.
  const baseUrl = SETUP_ONLY ? url(app.urlVar, local) : local;
  const backchannelUrl = SETUP_ONLY ? url(app.backchannelVar, `${baseUrl}/backchannel-logout`) : `${baseUrl}/backchannel-logout`;
  return { ...app, baseUrl, backchannelUrl };
});

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

function fail(message, code = 1) {
  process.stderr.write(`demo: ${message}\n`);
  if (children.size > 0) void stop(code);
  else process.exit(code);
}

/** Prefixes each line a child prints with its label, e.g. "[sesame] ...". */
function pipe(label, stream, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`[${label}] ${line}\n`));
}

function start(label, args, childEnv) {
  const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(label, child);
  pipe(label, child.stdout, process.stdout);
  pipe(label, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(label);
    if (!stopping) fail(`${label} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the demo`);
  });
  return child;
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()];
  for (const child of running) child.kill('SIGTERM');
  const exited = Promise.all(
    running.map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r)))),
  );
  const timer = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
  process.exit(code);
}

if (SETUP_ONLY) {
  // Nothing to stop; an interrupted setup is not a successful one.
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
} else {
  process.on('SIGINT', () => {
    if (stopping) {
      for (const child of children.values()) child.kill('SIGKILL');
      process.exit(130);
    }
    say('\nstopping the demo ...');
    void stop(0);
  });
  process.on('SIGTERM', () => void stop(0));
}

function portFree(n) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(n, () => server.close(() => resolve(true)));
  });
}

/** Runs the sesame CLI with --json and returns its parsed output. */
function cli(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, 'bin', 'sesame.js'), ...args, '--json'], { cwd: root, env }, (error, stdout, stderr) => {
      if (error) {
        const safeArgs = args.map((a, i) => (args[i - 1] === '--password' ? '***' : a));
        reject(new Error(`sesame ${safeArgs.join(' ')} failed: ${(stderr || stdout || error.message).trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`sesame ${args.join(' ')} printed something that is not JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

async function waitFor(url, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000}s`);
}

function readSecrets() {
  try {
    return JSON.parse(readFileSync(SECRETS_FILE, 'utf8'));
  } catch {
    return {};
  }
}

function writeSecrets(secrets) {
  mkdirSync(dirname(SECRETS_FILE), { recursive: true });
  writeFileSync(SECRETS_FILE, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
}

/** Whether Sesame accepts this client secret: a bogus code gets invalid_grant, a bad secret invalid_client. */
async function secretWorks(clientId, clientSecret) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'demo-secret-check', redirect_uri: `${issuer}/`, code_verifier: 'x'.repeat(43) }),
  });
  /** @type {{ error?: string }} */
  const body = await response.json().catch(() => ({}));
  return body.error !== 'invalid_client';
}

const sameList = (a = [], b = []) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

function wanted(app) {
  return {
    redirect_uris: [`${app.baseUrl}/callback`],
    post_logout_redirect_uris: [`${app.baseUrl}/`],
    backchannel_logout_uri: app.backchannelUrl,
    resources: [`${app.baseUrl}/api`],
    scope: SCOPE,
  };
}

function fits(client, want) {
  return (
    sameList(client.redirect_uris, want.redirect_uris) &&
    sameList(client.post_logout_redirect_uris, want.post_logout_redirect_uris) &&
    client.backchannel_logout_uri === want.backchannel_logout_uri &&
    sameList(client.resources, want.resources) &&
    sameList(client.scope?.split(' '), want.scope.split(' '))
  );
}

/** The demo user, created if missing. */
async function ensureUser() {
  const users = await cli(['users', 'list']);
  if (users.some((u) => u.email === DEMO_USER.email)) return 'exists';
  await cli(['users', 'create', '--email', DEMO_USER.email, '--password', DEMO_USER.password, '--name', DEMO_USER.name]);
  return 'created';
}

/** Each app's client, created, fixed or re-keyed as needed; returns { client_id, client_secret } per app. */
async function ensureClients() {
  const secrets = readSecrets();
  let clients = await cli(['clients', 'list']);
  const result = new Map();
  for (const app of apps) {
    const want = wanted(app);
    const named = clients.filter((c) => c.client_name === app.name);
    let client = named.find((c) => fits(c, want));
    // A client of that name registered for other ports (or an older demo): replace it.
    for (const stale of named.filter((c) => c !== client)) {
      await cli(['clients', 'delete', stale.client_id]);
      say(`[demo] removed the outdated client "${app.name}" (${stale.client_id})`);
    }
    let secret;
    if (!client) {
      client = await cli([
        'clients',
        'create',
        '--name',
        app.name,
        '--redirect-uri',
        want.redirect_uris[0],
        '--post-logout-redirect-uri',
        want.post_logout_redirect_uris[0],
        '--backchannel-logout-uri',
        want.backchannel_logout_uri,
        '--resource',
        want.resources[0],
        '--scope',
        SCOPE,
      ]);
      secret = client.client_secret;
      say(`[demo] registered the client "${app.name}" (${client.client_id})`);
    } else {
      const stored = secrets[app.name];
      if (stored?.client_id === client.client_id && stored.client_secret && (await secretWorks(client.client_id, stored.client_secret))) {
        secret = stored.client_secret;
        say(`[demo] client "${app.name}": exists (${client.client_id})`);
      } else {
        secret = (await cli(['clients', 'rotate-secret', client.client_id])).client_secret;
        say(`[demo] the secret of "${app.name}" was not on file; issued a new one`);
      }
    }
    secrets[app.name] = { client_id: client.client_id, client_secret: secret };
    result.set(app.label, secrets[app.name]);
    clients = clients.filter((c) => c.client_name !== app.name);
  }
  writeSecrets(secrets);
  return result;
}

/** --setup-only: the user and the clients in an already running Sesame, and the clients file. */
async function setupOnly() {
  say(`[demo] waiting for Sesame at ${issuer} ...`);
  await waitFor(`${issuer}/readyz`, 'Sesame');
  const user = await ensureUser();
  say(`[demo] demo user ${DEMO_USER.email}: ${user}`);
  await ensureClients();
  for (const app of apps) say(`[demo] ${app.name}: ${app.baseUrl} (back-channel logout: ${app.backchannelUrl})`);
  say(`[demo] wrote the client credentials to ${SECRETS_FILE}`);
  // Done: do not wait for idle keep-alive sockets.
  process.exit(0);
}

async function main() {
  for (const file of ['dist/src/main.js', 'dist/examples/demo-rp/server.js']) {
    if (!existsSync(join(root, file))) fail(`${file} is missing; run "npm run demo" (it builds first)`);
  }
  for (const [label, n, variable] of [
    ['Sesame', sesamePort, 'DEMO_SESAME_PORT'],
    ...apps.map((a) => [a.name, a.port, `DEMO_${a.label.toUpperCase().replace('-', '_')}_PORT`]),
  ]) {
    if (!(await portFree(n))) fail(`port ${n} (${label}) is in use; stop what runs there or set ${variable}`);
  }

  say(`[demo] starting Sesame on ${issuer} ...`);
  start('sesame', [join(root, 'dist', 'src', 'main.js')], {
    ...env,
    PORT: String(sesamePort),
    ISSUER: issuer,
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
  });
  await waitFor(`${issuer}/readyz`, 'Sesame');

  const user = await ensureUser();
  say(`[demo] demo user ${DEMO_USER.email}: ${user}`);
  const credentials = await ensureClients();

  for (const app of apps) {
    const { client_id, client_secret } = credentials.get(app.label);
    start(app.label, [join(root, 'dist', 'examples', 'demo-rp', 'server.js')], {
      ...env,
      DEMO_NAME: app.name,
      DEMO_PORT: String(app.port),
      DEMO_ISSUER: issuer,
      DEMO_CLIENT_ID: client_id,
      DEMO_CLIENT_SECRET: client_secret,
    });
  }
  await Promise.all(apps.map((app) => waitFor(`${app.baseUrl}/`, app.name)));
  if (stopping) return;

  say();
  say('  Sesame demo is running.');
  say();
  say(`    Sesame       ${issuer}   (discovery: ${issuer}/.well-known/openid-configuration)`);
  for (const app of apps) say(`    ${app.name.padEnd(12)} ${app.baseUrl}`);
  say();
  say(`  Sign in with  ${DEMO_USER.email}  /  ${DEMO_USER.password}`);
  say();
  say('  Sign in to App A, then open App B: no password the second time. "Call the API" sends the');
  say("  access token to the app's API, which verifies it against Sesame's keys. Sign out in one app");
  say('  and reload the other: Sesame told it over the back channel.');
  say();
  say('  Ctrl-C stops everything.');
  say();
}

(SETUP_ONLY ? setupOnly() : main()).catch((error) => fail(error instanceof Error ? error.message : String(error)));
