// Prisma's query compiler is a 4 MB WebAssembly module. V8 compiles it with its baseline compiler
// (Liftoff) and then recompiles the hot functions with its optimizing one (TurboFan) in background
// threads, whose working memory stays in glibc's per-thread arenas: about 75 MiB of a 240 MiB
// process at rest. With the baseline compiler only, Prisma's typed calls cost some 15% more CPU
// (`node --liftoff-only bench/prisma-calls.mjs`: 0.27 ms a findUnique instead of 0.23), and none of
// them is on a hot path (the provider's rows, the sign-in's reads and writes, the audit log go to
// the driver as raw statements). Imported first by each entry point: the flag must be set before
// Prisma compiles the module, on the first connect.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
