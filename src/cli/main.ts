// The `sesame` process (bin/sesame.js imports the built copy of this file).
import '../wasm-compilation.js';
import { runCli } from './run.js';

/** All of standard input as UTF-8; only touched when a command asks for it (--password-stdin). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  stdin: readStdin,
});
