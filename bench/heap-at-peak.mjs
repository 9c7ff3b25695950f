// Loaded into Sesame under the bench, to see what its memory peak is made of:
//   BENCH_SESAME_NODE_ARGS="--expose-gc --import $PWD/bench/heap-at-peak.mjs" npm run bench -- --pairs 1 --only userinfo,login --engines sqlite
// At each new high of the process's RSS (checked every 250 ms) it writes the RSS and V8's heap
// spaces to /tmp/sesame-heap-at-peak-PID.txt; when the process exits, after the load, it forces a
// collection and adds what is still used (the live heap). No collection is forced before that: it
// would change the peak it measures.
import { appendFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const mib = (/** @type {number} */ bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
const file = `/tmp/sesame-heap-at-peak-${process.pid}.txt`;
let highest = 0;

setInterval(() => {
  const memory = process.memoryUsage();
  if (memory.rss <= highest) return;
  highest = memory.rss;
  const spaces = getHeapSpaceStatistics().map((space) => `${space.space_name}: ${mib(space.space_used_size)} used of ${mib(space.space_size)}`);
  writeFileSync(file, [`at the highest RSS, ${mib(memory.rss)}: heap ${mib(memory.heapUsed)} used of ${mib(memory.heapTotal)}`, ...spaces, ''].join('\n'));
}, 250).unref();

process.on('exit', () => {
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  if (!gc) return appendFileSync(file, 'live heap: unknown (start with --expose-gc)\n');
  gc();
  appendFileSync(file, `live heap at exit, after a collection: ${mib(process.memoryUsage().heapUsed)}\n`);
});
