// `npm run bench`: Sesame side by side with a bare oidc-provider (bench/baseline.mjs), on SQLite
// and, when TEST_DATABASE_URL is set, on PostgreSQL.
//
// For each engine, pairs of runs alternate (Sesame, baseline, Sesame, baseline, ...), each server
// a fresh child process (Sesame on a fresh copy of a seeded database). In every run, for every row:
// the peak throughput (closed loop), then the latency at half of Sesame's peak in that pair (open
// loop: the same rate for both servers). The table shows the median over the pairs; the ratios
// are the median of each pair's Sesame/baseline ratio. Everything measured goes to
// bench/results/<timestamp>.json.
//
//   npm run bench                                  # SQLite (and PostgreSQL with TEST_DATABASE_URL)
//   npm run bench -- --quick                       # a smoke test: tiny durations, one pair
//   npm run bench -- --pairs 5 --seconds 5         # a longer, steadier run
//   npm run bench -- --only refresh,login --engines sqlite
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clientCredentials, get, introspect, RefreshChain, signIn, userinfo } from './journey.mjs';
import { closedLoop, openLoop, Pool, Target } from './load.mjs';
import { cleanUp, Databases, root, startBaseline, startSesame } from './servers.mjs';

/** @typedef {import('./load.mjs').Measurement} Measurement */
/** @typedef {import('./servers.mjs').Registrations} Registrations */
/** @typedef {import('./servers.mjs').Engine} Engine */
/**
 * @typedef {object} RowResult
 * @property {Measurement} peak the closed loop
 * @property {number} rate the open loop's requests per second
 * @property {Measurement} open the open loop
 * @property {{ peakServerCores: number, peakLoadCores: number, serverMsPerRequest: number }} cpu during the closed loop, the
 *   server's and the load generator's CPU use in cores (a load generator near 1 core means the server's peak may be higher than
 *   measured); during the open loop, the server's CPU time per request (per sign-in for login)
 */
/** @typedef {{ server: 'sesame' | 'baseline', rows: Record<string, RowResult>, peakRssBytes?: number, restingRssBytes?: number }} RunResult */

/**
 * The rows, in the order they run. `concurrency`: workers of the closed loop; `weight`: how many
 * times the standard duration the row is measured for (a sign-in takes far longer than a GET).
 */
const ROWS = [
  { name: 'discovery', what: 'GET /.well-known/openid-configuration', concurrency: 16, weight: 1 },
  { name: 'jwks', what: 'GET /jwks', concurrency: 16, weight: 1 },
  { name: 'client_credentials', what: 'POST /token grant_type=client_credentials (client_secret_basic)', concurrency: 16, weight: 1 },
  { name: 'introspection', what: "POST /token/introspection of one of the app's access tokens", concurrency: 16, weight: 1 },
  { name: 'userinfo', what: 'GET /me with an opaque access token', concurrency: 16, weight: 1 },
  { name: 'refresh', what: 'POST /token grant_type=refresh_token, a never-used refresh token each time', concurrency: 16, weight: 1 },
  { name: 'login', what: 'a whole sign-in: /auth, login form, consent, callback, code exchange (8 requests)', concurrency: 8, weight: 2 },
];

const USAGE = `usage: npm run bench -- [--quick] [--pairs N] [--seconds S] [--engines sqlite,postgresql] [--only ROW,...]
  --quick     a smoke test: one pair, fractions of a second per measurement
  --pairs     Sesame/baseline pairs per engine (default 3)
  --seconds   measured seconds per row and mode (default 1.25; the login row gets twice as long)
  --engines   default: sqlite, plus postgresql when TEST_DATABASE_URL is set
  --only      rows: ${ROWS.map((r) => r.name).join(', ')}`;

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        quick: { type: 'boolean' },
        pairs: { type: 'string' },
        seconds: { type: 'string' },
        engines: { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = Boolean(parsed.quick);
  const number = (/** @type {string | undefined} */ raw, /** @type {number} */ fallback, /** @type {string} */ name) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!(value > 0) || !Number.isFinite(value)) usage(`--${name} must be a positive number`);
    return value;
  };
  const pairs = Math.round(number(parsed.pairs, quick ? 1 : 3, 'pairs'));
  const seconds = number(parsed.seconds, quick ? 0.25 : 1.25, 'seconds');
  const engines = /** @type {Engine[]} */ (parsed.engines?.split(',') ?? (process.env.TEST_DATABASE_URL ? ['sqlite', 'postgresql'] : ['sqlite']));
  for (const engine of engines) if (engine !== 'sqlite' && engine !== 'postgresql') usage(`unknown engine ${engine}`);
  if (engines.includes('postgresql') && !process.env.TEST_DATABASE_URL) usage('PostgreSQL needs TEST_DATABASE_URL');
  const only = parsed.only?.split(',');
  for (const name of only ?? []) if (!ROWS.some((row) => row.name === name)) usage(`unknown row ${name}`);
  return {
    quick,
    pairs,
    engines,
    rows: ROWS.filter((row) => !only || only.includes(row.name)),
    measureMs: seconds * 1000,
    warmupMs: quick ? 100 : 500,
    /** Sign-ins made before measuring: the refresh chains, and the access tokens userinfo and introspection present. */
    preparedSignIns: quick ? 4 : 24,
  };
}

/** @param {string} message @returns {never} */
function usage(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * One run of one server: prepare sign-ins, then every row's peak and open-loop measurement.
 * @param {'sesame' | 'baseline'} server
 * @param {() => Promise<import('./servers.mjs').Running>} start
 * @param {Registrations} registrations
 * @param {ReturnType<typeof options>} settings
 * @param {Record<string, number>} [rates] the open-loop rate of each row (the baseline's: half of Sesame's peak in this pair)
 * @returns {Promise<RunResult>}
 */
async function measure(server, start, registrations, settings, rates) {
  const running = await start();
  // At rest: started and ready, before the first request of the bench.
  const restingRssBytes = running.rssBytes();
  const target = new Target(running.issuer, 128);
  try {
    const { app, machine, person } = registrations;
    const prepared = [];
    for (let i = 0; i < settings.preparedSignIns; i += 4) {
      prepared.push(...(await Promise.all(Array.from({ length: Math.min(4, settings.preparedSignIns - i) }, () => signIn(target, app, person)))));
    }
    const accessTokens = prepared.map((tokens) => tokens.access_token);
    const chains = new Pool(prepared.map((tokens) => new RefreshChain(tokens.refresh_token ?? '')));
    let next = 0;
    const accessToken = () => accessTokens[next++ % accessTokens.length] ?? '';
    /** @type {Record<string, () => Promise<unknown>>} */
    const tasks = {
      discovery: () => get(target, '/.well-known/openid-configuration'),
      jwks: () => get(target, '/jwks'),
      client_credentials: () => clientCredentials(target, machine),
      introspection: () => introspect(target, app, accessToken()),
      userinfo: () => userinfo(target, accessToken()),
      refresh: async () => {
        const chain = await chains.take();
        try {
          await chain.refresh(target, app);
        } finally {
          chains.give(chain);
        }
      },
      login: () => signIn(target, app, person),
    };

    /** @type {Record<string, RowResult>} */
    const rows = {};
    for (const row of settings.rows) {
      const task = tasks[row.name];
      if (!task) throw new Error(`no task for ${row.name}`);
      const durationMs = settings.measureMs * row.weight;
      const [serverBefore, loadBefore, started] = [running.cpuSeconds(), process.cpuUsage(), performance.now()];
      const peak = await closedLoop(task, { concurrency: row.concurrency, warmupMs: settings.warmupMs * row.weight, durationMs });
      const [serverAfter, loadAfter, ended] = [running.cpuSeconds(), process.cpuUsage(loadBefore), performance.now()];
      const rate = rates?.[row.name] ?? Math.max(1, peak.rps / 2);
      const open = await openLoop(task, { rate, durationMs });
      const wall = (ended - started) / 1000;
      const cpu = {
        peakServerCores: (serverAfter - serverBefore) / wall,
        peakLoadCores: (loadAfter.user + loadAfter.system) / 1e6 / wall,
        serverMsPerRequest: ((running.cpuSeconds() - serverAfter) * 1000) / Math.max(1, open.requests + open.errors),
      };
      rows[row.name] = { peak, rate, open, cpu };
      progress(
        `  ${server.padEnd(8)} ${row.name.padEnd(18)} peak ${fixed(peak.rps).padStart(6)}/s (server ${cores(cpu.peakServerCores)}, load ${cores(cpu.peakLoadCores)} cores)` +
          `   at ${fixed(rate).padStart(6)}/s p99 ${ms(open.p99).padStart(5)} ms, ${ms(cpu.serverMsPerRequest)} ms CPU each`,
      );
    }
    const peakRssBytes = running.peakRssBytes();
    return { server, rows, ...(peakRssBytes !== undefined ? { peakRssBytes } : {}), ...(restingRssBytes !== undefined ? { restingRssBytes } : {}) };
  } finally {
    target.close();
    await running.stop();
  }
}

const progress = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);
const fixed = (/** @type {number} */ n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
const ms = (/** @type {number} */ n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : '-');
const cores = (/** @type {number} */ n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const ratio = (/** @type {number} */ n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const mib = (/** @type {number | undefined} */ bytes) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);

/** @param {number[]} values */
function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * The table's numbers for one engine: medians over the pairs.
 * @param {{ sesame: RunResult, baseline: RunResult }[]} pairs
 * @param {ReturnType<typeof options>['rows']} rows
 */
function summarize(pairs, rows) {
  return rows.map((row) => {
    const of = (/** @type {'sesame' | 'baseline'} */ server, /** @type {(r: RowResult) => number} */ pick) =>
      median(pairs.map((pair) => (pair[server].rows[row.name] ? pick(/** @type {RowResult} */ (pair[server].rows[row.name])) : NaN)));
    const perPair = (/** @type {(r: RowResult) => number} */ pick) =>
      median(
        pairs.map((pair) => {
          const s = pair.sesame.rows[row.name];
          const b = pair.baseline.rows[row.name];
          return s && b ? pick(s) / pick(b) : NaN;
        }),
      );
    return {
      row: row.name,
      sesameRps: of('sesame', (r) => r.peak.rps),
      baselineRps: of('baseline', (r) => r.peak.rps),
      rpsRatio: perPair((r) => r.peak.rps),
      rate: of('sesame', (r) => r.rate),
      sesameP50: of('sesame', (r) => r.open.p50),
      sesameP99: of('sesame', (r) => r.open.p99),
      baselineP50: of('baseline', (r) => r.open.p50),
      baselineP99: of('baseline', (r) => r.open.p99),
      p99Ratio: perPair((r) => r.open.p99),
      sesameCpuMs: of('sesame', (r) => r.cpu.serverMsPerRequest),
      baselineCpuMs: of('baseline', (r) => r.cpu.serverMsPerRequest),
      errors: pairs.reduce((n, pair) => n + errorsOf(pair.sesame, row.name) + errorsOf(pair.baseline, row.name), 0),
    };
  });
}

/** @param {RunResult} run @param {string} row */
function errorsOf(run, row) {
  const r = run.rows[row];
  return r ? r.peak.errors + r.open.errors : 0;
}

/**
 * @param {Engine} engine
 * @param {ReturnType<typeof summarize>} summary
 * @param {{ sesame: RunResult, baseline: RunResult }[]} pairs
 * @param {ReturnType<typeof options>['rows']} rows
 */
function table(engine, summary, pairs, rows) {
  const concurrency = (/** @type {string} */ name) => rows.find((row) => row.name === name)?.concurrency ?? '-';
  const head = [
    'row',
    'Sesame req/s',
    'baseline req/s',
    'ratio',
    '½-peak rate/s',
    'Sesame p50',
    'Sesame p99',
    'baseline p50',
    'baseline p99',
    'p99 ratio',
    'CPU ms/req Sesame',
    'baseline',
  ];
  const lines = summary.map((s) => [
    s.row + (s.errors > 0 ? ` (${s.errors} errors)` : ''),
    fixed(s.sesameRps),
    fixed(s.baselineRps),
    ratio(s.rpsRatio),
    fixed(s.rate),
    ms(s.sesameP50),
    ms(s.sesameP99),
    ms(s.baselineP50),
    ms(s.baselineP99),
    ratio(s.p99Ratio),
    ms(s.sesameCpuMs),
    ms(s.baselineCpuMs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (/** @type {string[]} */ cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rss = (/** @type {'sesame' | 'baseline'} */ server) => {
    const values = pairs.flatMap((pair) => pair[server].peakRssBytes ?? []);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const resting = (/** @type {'sesame' | 'baseline'} */ server) => {
    const value = median(pairs.flatMap((pair) => pair[server].restingRssBytes ?? []));
    return Number.isFinite(value) ? value : undefined;
  };
  return [
    `${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${pairs.length} pair${pairs.length === 1 ? '' : 's'}, medians; ratios are Sesame/baseline per pair, then the median`,
    `req/s: closed loop, ${concurrency('userinfo')} at once (login: sign-ins/s, ${concurrency('login')} at once); p50/p99 (ms) and the server's CPU time per request: open loop at half of Sesame's peak, both servers`,
    format(head),
    format(widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`))),
    ...lines.map(format),
    `Sesame peak RSS (VmHWM): ${mib(rss('sesame'))} (baseline ${mib(rss('baseline'))}); at rest, started and before the first request (VmRSS, median): ${mib(resting('sesame'))} (baseline ${mib(resting('baseline'))})`,
  ].join('\n');
}

async function main() {
  const settings = options();
  const startedAt = new Date();
  /** @type {Record<string, unknown>} */
  const results = {
    startedAt: startedAt.toISOString(),
    node: process.version,
    cpus: { count: availableParallelism(), model: cpus()[0]?.model },
    memoryBytes: totalmem(),
    settings: { ...settings, rows: settings.rows.map((r) => ({ ...r })) },
    engines: {},
  };
  const tables = [];
  let failed = false;
  for (const engine of settings.engines) {
    progress(`bench: ${engine}: seeding (sesame CLI)`);
    const databases = new Databases(engine);
    const registrations = await databases.seed();
    /** @type {{ sesame: RunResult, baseline: RunResult }[]} */
    const pairs = [];
    for (let pair = 1; pair <= settings.pairs; pair++) {
      progress(`bench: ${engine}: pair ${pair} of ${settings.pairs}`);
      const database = await databases.copy();
      let sesame;
      try {
        sesame = await measure('sesame', () => startSesame(databases, database.url), registrations, settings);
      } finally {
        await database.drop();
      }
      const rates = Object.fromEntries(Object.entries(sesame.rows).map(([name, row]) => [name, Math.max(1, row.peak.rps / 2)]));
      const baseline = await measure('baseline', () => startBaseline(registrations), registrations, settings, rates);
      pairs.push({ sesame, baseline });
    }
    const summary = summarize(pairs, settings.rows);
    /** @type {Record<string, unknown>} */ (results.engines)[engine] = { summary, pairs };
    tables.push(table(engine, summary, pairs, settings.rows));
    // Wrong answers now and then, or no right one at all, mean the bench itself is broken. (A slow
    // server is not: on a busy machine a --quick peak window may see no sign-in finish, but the
    // open loop waits for every one it started.)
    for (const pair of pairs) {
      for (const run of [pair.sesame, pair.baseline]) {
        for (const [name, row] of Object.entries(run.rows)) {
          const broken = [row.peak, row.open].some((m) => m.errors > (m.requests + m.errors) / 100) || row.peak.requests + row.open.requests === 0;
          if (broken) {
            failed = true;
            for (const [loop, m] of /** @type {const} */ ([
              ['peak', row.peak],
              ['open', row.open],
            ])) {
              progress(
                `bench: ${engine} ${run.server} ${name} (${loop}): ${m.requests} ok, ${m.errors} errors${m.firstError ? `; first: ${m.firstError}` : ''}`,
              );
            }
          }
        }
      }
    }
  }
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${tables.join('\n\n')}\n\nresults: ${file.replace(`${root}/`, '')} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s)\n`);
  if (failed) {
    process.stderr.write('bench: some measurements failed (see above)\n');
    process.exitCode = 1;
  }
}

let interrupted = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress(`bench: ${signal}: stopping the servers and dropping the databases`);
    void cleanUp().then(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  // After Ctrl-C, what fails is only what the clean-up stopped.
  if (!interrupted) process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
