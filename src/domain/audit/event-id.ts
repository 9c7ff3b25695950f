// Audit event ids are UUIDv7 (RFC 9562): the millisecond first, then a counter, then randomness.
// The log lists newest first by time and then by id, and a busy instance records several events in
// the same millisecond: with random ids their order within it was a coin toss. Within one process
// each id is greater than the one before; across instances, ids of the same millisecond still
// interleave at random, like their clocks.
import { randomFillSync } from 'node:crypto';

/** The 12-bit counter of RFC 9562's method 1 (rand_a); it starts at random below half its range each millisecond. */
const COUNTER_MAX = 0xfff;

let lastMs = -1;
let counter = 0;

export function auditEventId(now = Date.now()): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter += 1;
    // 4096 ids in one millisecond: borrow the next one, as the RFC allows.
    if (counter > COUNTER_MAX) {
      ms += 1;
      counter = 0;
    }
  } else {
    counter = Math.floor(Math.random() * (COUNTER_MAX / 2));
  }
  lastMs = ms;
  const bytes = randomFillSync(Buffer.alloc(16));
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
