// Where Sesame's time per request goes, next to the baseline's: reads a CPU profile of each server
// taken under one row of the bench, and prints the main thread's microseconds per request by
// function (self time), the largest differences first.
//
//   rm -rf /tmp/prof && BENCH_SESAME_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof/sesame' \
//     BENCH_BASELINE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof/baseline' \
//     npm run bench -- --pairs 1 --seconds 5 --only client_credentials --engines sqlite
//   node bench/profile-diff.mjs /tmp/prof/sesame/*.cpuprofile SESAME_REQ_PER_S /tmp/prof/baseline/*.cpuprofile BASELINE_REQ_PER_S
//
// The req/s are the row's peak figures the bench printed. Only the closed loop counts: the longest
// stretch in which the main thread was idle less than a quarter of the time (half-second steps; with a
// row of 5 seconds, longer than start-up). Its busy time divided by the requests it served is the time
// per request. The figures are as noisy as the machine; the differences between functions are what
// they are for.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} Profile
 */

const STEP_US = 500_000;
/** A step counts as loaded when its main thread was idle less than this share of it (start-up and the sign-ins before the rows are not, nor the open loop). */
const LOADED_IDLE_BELOW = 0.25;

/** @param {ProfileNode} node */
function frameName(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|bench)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
}

/**
 * What a frame belongs to: Sesame's code, a package, Node's async hooks (AsyncLocalStorage), the
 * rest of Node, or the VM itself (garbage collection, a system call such as writev).
 * @param {ProfileNode} node
 */
function areaOf(node) {
  const { functionName, url } = node.callFrame;
  if (!url) return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  if (url.includes('/dist/src/'))
    return url.includes('/dist/src/db/raw-sql.js') ? 'Sesame: raw-sql.js (the database driver call)' : 'Sesame: the rest of dist/src';
  if (url.includes('async_hooks')) return 'node: async_hooks';
  return url.startsWith('node:') ? 'node: the rest' : url;
}

/**
 * Microseconds of main-thread time per request, by frame and by area, over the longest busy stretch.
 * @param {string} file
 * @param {number} requestsPerSecond
 */
function perRequest(file, requestsPerSecond) {
  /** @type {Profile} */
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {{ at: number, node: ProfileNode, us: number }[]} */
  const samples = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const node = nodes.get(id);
    if (node) samples.push({ at, node, us: profile.timeDeltas[i] ?? 0 });
  });
  // Busy half-seconds, then the longest run of them.
  /** @type {Map<number, { idle: number, all: number }>} */
  const steps = new Map();
  for (const sample of samples) {
    const step = Math.floor(sample.at / STEP_US);
    const counts = steps.get(step) ?? { idle: 0, all: 0 };
    counts.all += sample.us;
    if (sample.node.callFrame.functionName === '(idle)') counts.idle += sample.us;
    steps.set(step, counts);
  }
  let best = { from: 0, to: -1 };
  let start = -1;
  const last = Math.max(...steps.keys());
  for (let step = 0; step <= last + 1; step++) {
    const counts = steps.get(step);
    const busy = counts !== undefined && counts.idle < LOADED_IDLE_BELOW * counts.all;
    if (busy && start < 0) start = step;
    if (!busy && start >= 0) {
      if (step - 1 - start > best.to - best.from) best = { from: start, to: step - 1 };
      start = -1;
    }
  }
  if (best.to < best.from) throw new Error(`${file}: no loaded stretch (was the profile taken under the bench?)`);
  const requests = (requestsPerSecond * (best.to - best.from + 1) * STEP_US) / 1e6;
  /** @type {Map<string, number>} */
  const byFrame = new Map();
  /** @type {Map<string, number>} */
  const byArea = new Map();
  let total = 0;
  for (const sample of samples) {
    const step = Math.floor(sample.at / STEP_US);
    if (step < best.from || step > best.to || sample.node.callFrame.functionName === '(idle)') continue;
    total += sample.us;
    const name = frameName(sample.node);
    byFrame.set(name, (byFrame.get(name) ?? 0) + sample.us);
    const area = areaOf(sample.node);
    byArea.set(area, (byArea.get(area) ?? 0) + sample.us);
  }
  const perRequestOf = (/** @type {Map<string, number>} */ m) => new Map([...m].map(([name, us]) => [name, us / requests]));
  return { seconds: total / 1e6, byFrame: perRequestOf(byFrame), byArea: perRequestOf(byArea) };
}

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
  if (positionals.length !== 4) {
    process.stderr.write('usage: node bench/profile-diff.mjs SESAME.cpuprofile SESAME_REQ_PER_S BASELINE.cpuprofile BASELINE_REQ_PER_S [--top N]\n');
    process.exit(2);
  }
  const [sesameFile = '', sesameRps = '', baselineFile = '', baselineRps = ''] = positionals;
  for (const rps of [sesameRps, baselineRps]) {
    if (!(Number(rps) > 0)) {
      process.stderr.write(`bench/profile-diff: ${rps} is not a number of requests per second\n`);
      process.exit(2);
    }
  }
  const sesame = perRequest(sesameFile, Number(sesameRps));
  const baseline = perRequest(baselineFile, Number(baselineRps));
  const sum = (/** @type {Map<string, number>} */ m) => [...m.values()].reduce((a, b) => a + b, 0);
  const us = (/** @type {number} */ n) => n.toFixed(1).padStart(8);
  /**
   * @param {'byFrame' | 'byArea'} by
   * @param {number} top
   */
  const rows = (by, top) =>
    [...new Set([...sesame[by].keys(), ...baseline[by].keys()])]
      .map((name) => ({ name, s: sesame[by].get(name) ?? 0, b: baseline[by].get(name) ?? 0 }))
      .sort((x, y) => y.s - y.b - (x.s - x.b))
      .slice(0, top)
      .map((row) => `${us(row.s)} ${us(row.b)} ${us(row.s - row.b)}  ${row.name}`);
  const lines = [
    `main thread, µs per request: Sesame ${sum(sesame.byFrame).toFixed(0)} (${sesame.seconds.toFixed(1)} s busy), baseline ${sum(baseline.byFrame).toFixed(0)} (${baseline.seconds.toFixed(1)} s busy)`,
    '',
    `  Sesame baseline     diff  area`,
    ...rows('byArea', 15),
    '',
    `  Sesame baseline     diff  function (self time)`,
    ...rows('byFrame', Number(values.top)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
