// The servers `npm run bench` compares, as child processes: Sesame as `npm start` runs it (the
// built dist/src/main.js, NODE_ENV=production, its users and clients made by the `sesame` CLI)
// and the bare oidc-provider of bench/baseline.mjs. Also the databases Sesame runs on: one seeded
// database per run and engine (migrated, one person, two clients), copied afresh for every Sesame
// start so each pair starts from the same state, and dropped at the end.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @typedef {'sqlite' | 'postgresql'} Engine */
/** @typedef {{ clientId: string, clientSecret: string }} ClientCredentials */
/**
 * What the bench needs to know about a server's registrations.
 * @typedef {{ app: ClientCredentials & { redirectUri: string }, machine: ClientCredentials, person: { email: string, password: string, name: string } }} Registrations
 */
/**
 * @typedef {object} Running
 * @property {string} issuer
 * @property {number} pid
 * @property {() => number | undefined} peakRssBytes VmHWM of the process, while it runs
 * @property {() => number | undefined} rssBytes VmRSS of the process now
 * @property {() => number} cpuSeconds user + system CPU time of the process so far (all its threads: argon2 runs on the thread pool)
 * @property {() => Promise<void>} stop
 */

export const REDIRECT_URI = 'http://localhost:8080/callback';
const PERSON = { email: 'bench@example.com', password: 'bench-password-0123', name: 'Bench Person' };
const START_TIMEOUT_MS = 30_000;

/** Everything to undo when the run ends, however it ends (children, databases, temporary files). */
const cleanups = new Set();
/** @param {() => Promise<void> | void} cleanup */
export function onCleanup(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
export async function cleanUp() {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`bench: cleaning up: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

/** A scratch directory for this run: SQLite files and the servers' logs. */
export const scratch = mkdtempSync(join(tmpdir(), 'sesame-bench-'));
onCleanup(() => rmSync(scratch, { recursive: true, force: true }));

/** A generated secret of the kind production wants (`openssl rand -base64 32`). */
const secret = () => randomBytes(32).toString('base64');

/** A free port on this machine (bound then released; nothing else here is racing for ports). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Only what the children need: nothing from the caller's environment or a `.env` leaks in. */
function childEnv(/** @type {Record<string, string>} */ vars) {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vars };
}

/**
 * The databases of one engine for this run: a seed made once, copied for every Sesame start.
 */
export class Databases {
  /** @param {Engine} engine */
  constructor(engine) {
    this.engine = engine;
    this.run = randomBytes(4).toString('hex');
    this.count = 0;
    /** The same on every Sesame start: the seed's client secrets are sealed with it. */
    this.keyEncryptionSecret = secret();
    /** @type {Registrations | undefined} */
    this.registrations = undefined;
    /** @type {string} */
    this.seedUrl = '';
  }

  /** Creates the seed database: migrated, one person, the journey's app and a client_credentials client. */
  async seed() {
    if (this.engine === 'sqlite') {
      const dir = join(scratch, 'seed');
      mkdirSync(dir, { recursive: true });
      this.seedUrl = `file:${join(dir, 'sesame.db')}`;
    } else {
      this.seedUrl = await createPostgresDatabase(`sesame_bench_${this.run}_seed`);
    }
    const cli = (/** @type {string[]} */ args) => this.cli(args);
    await cli(['users', 'create', '--email', PERSON.email, '--password', PERSON.password, '--name', PERSON.name]);
    // Rotating refresh tokens, like the baseline (a confidential client's default is not to rotate).
    const app = await cli(['clients', 'create', '--name', 'Bench app', '--redirect-uri', REDIRECT_URI, '--rotate-refresh-tokens']);
    const machine = await cli(['clients', 'create', '--name', 'Bench machine', '--grant-type', 'client_credentials']);
    this.registrations = {
      app: { clientId: app.client_id, clientSecret: app.client_secret, redirectUri: REDIRECT_URI },
      machine: { clientId: machine.client_id, clientSecret: machine.client_secret },
      person: PERSON,
    };
    return this.registrations;
  }

  /**
   * `sesame ARGS --json` on the seed database; its JSON output.
   * @param {string[]} args
   */
  async cli(args) {
    const env = childEnv({
      NODE_ENV: 'production',
      DATABASE_URL: this.seedUrl,
      KEY_ENCRYPTION_SECRET: this.keyEncryptionSecret,
      COOKIE_KEYS: secret(),
      // The CLI needs an issuer in production; no client of the bench uses its origin.
      ISSUER: 'http://localhost:9',
    });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'sesame.js'), ...args, '--json'], { cwd: scratch, env });
      return JSON.parse(stdout);
    } catch (error) {
      const { stderr = '', stdout = '' } = /** @type {{ stderr?: string, stdout?: string }} */ (error);
      throw new Error(`sesame ${args.slice(0, 2).join(' ')} failed: ${stderr}${stdout}`, { cause: error });
    }
  }

  /** A fresh copy of the seed for one Sesame start; `drop` removes it. */
  async copy() {
    const n = ++this.count;
    if (this.engine === 'sqlite') {
      const seedFile = this.seedUrl.slice('file:'.length);
      const dir = join(scratch, `sqlite-${n}`);
      mkdirSync(dir, { mode: 0o700 });
      for (const suffix of ['', '-wal']) if (existsSync(seedFile + suffix)) copyFileSync(seedFile + suffix, join(dir, `sesame.db${suffix}`));
      return { url: `file:${join(dir, 'sesame.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    const name = `sesame_bench_${this.run}_${n}`;
    const url = await createPostgresDatabase(name, `sesame_bench_${this.run}_seed`);
    return { url, drop: () => dropPostgresDatabase(name) };
  }
}

/** TEST_DATABASE_URL's server; the bench's databases are made next to the database it names. */
function postgresAdminUrl() {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

/** @param {(client: pg.Client) => Promise<unknown>} work */
async function asAdmin(work) {
  const client = new pg.Client({ connectionString: postgresAdminUrl() });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates database `name` (from `template` when given) and returns its URL; it is dropped at the
 * latest when the run ends.
 * @param {string} name
 * @param {string} [template]
 */
async function createPostgresDatabase(name, template) {
  await asAdmin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  onCleanup(() => dropPostgresDatabase(name));
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** @param {string} name */
async function dropPostgresDatabase(name) {
  await asAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * A memory figure of the process from /proc/PID/status (VmHWM: its peak; VmRSS: now).
 * @param {number} pid
 * @param {'VmHWM' | 'VmRSS'} field
 */
function memoryBytes(pid, field) {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/** @param {number} pid */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "PID (COMM) ", fields from the 3rd on: utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * Node's own options for a child, from a variable of the caller's (space-separated), such as
 * BENCH_SESAME_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
 * @param {string} variable
 */
function nodeArgsFrom(variable) {
  return process.env[variable]?.split(' ').filter(Boolean) ?? [];
}

/**
 * Starts `args` under node with `env`, its output into a log file, and waits until `readyPath`
 * answers 200.
 * @param {string} label
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {number} port
 * @param {string} readyPath
 * @returns {Promise<Running>}
 */
async function startChild(label, args, env, port, readyPath) {
  const logFile = join(scratch, `${label}-${port}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: scratch, env: childEnv(env), stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(logFile, { force: true });
  };
  const forget = onCleanup(stop);
  const issuer = `http://localhost:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const output = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '';
      await stop();
      forget();
      throw new Error(`${label} did not start (${child.exitCode ?? child.signalCode ?? 'timed out'}):\n${output}`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}${readyPath}`, { headers: { host: `localhost:${port}` } }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid ?? 0;
  return {
    issuer,
    pid,
    peakRssBytes: () => memoryBytes(pid, 'VmHWM'),
    rssBytes: () => memoryBytes(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    stop: async () => {
      forget();
      await stop();
    },
  };
}

/**
 * Sesame as production runs it, on `databaseUrl` (a copy of the seed). NODE_ENV=production with
 * generated secrets; http is allowed because the issuer is on localhost. LOG_LEVEL stays at its
 * default (info: one line per request), the logs going to a file.
 * @param {Databases} databases
 * @param {string} databaseUrl
 */
export async function startSesame(databases, databaseUrl) {
  const port = await freePort();
  const env = {
    NODE_ENV: 'production',
    PORT: String(port),
    ISSUER: `http://localhost:${port}`,
    DATABASE_URL: databaseUrl,
    KEY_ENCRYPTION_SECRET: databases.keyEncryptionSecret,
    COOKIE_KEYS: secret(),
    // All of the bench's load comes from one address: /jwks's per-source limit (600 a minute) would
    // answer most of it with 429. Like the baseline, no limit here; the limit is measured on its own
    // in test/integration/jwks-abuse.test.ts.
    JWKS_RATE_LIMIT: '0',
    // Variables to try under load, as NAME=value pairs: BENCH_SESAME_ENV='MALLOC_ARENA_MAX=2'.
    ...Object.fromEntries(
      (process.env.BENCH_SESAME_ENV ?? '')
        .split(' ')
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
  // To profile Sesame under the bench: BENCH_SESAME_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  return startChild('sesame', [...nodeArgsFrom('BENCH_SESAME_NODE_ARGS'), join(root, 'dist', 'src', 'main.js')], env, port, '/readyz');
}

/**
 * The baseline with the same registrations (client ids and secrets, the person) as Sesame's seed.
 * @param {Registrations} registrations
 */
export async function startBaseline(registrations) {
  const port = await freePort();
  const { app, machine, person } = registrations;
  const settings = {
    port,
    issuer: `http://localhost:${port}`,
    cookieKeys: [secret()],
    person,
    clients: [
      {
        client_id: app.clientId,
        client_secret: app.clientSecret,
        redirect_uris: [app.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email offline_access',
      },
      { client_id: machine.clientId, client_secret: machine.clientSecret, redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
    ],
  };
  const env = { NODE_ENV: 'production', BENCH_BASELINE: JSON.stringify(settings) };
  // To profile the baseline the same way: BENCH_BASELINE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof-baseline'.
  return startChild(
    'baseline',
    [...nodeArgsFrom('BENCH_BASELINE_NODE_ARGS'), join(root, 'bench', 'baseline.mjs')],
    env,
    port,
    '/.well-known/openid-configuration',
  );
}
