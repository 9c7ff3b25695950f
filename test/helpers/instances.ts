// Sesame as separate processes (the built server, as `npm start` runs it), for multi-instance tests
// and the rotation load benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface InstanceOptions {
  /** Run as this user (the test runs as root, for whom file permissions do not apply). */
  user?: { uid: number; gid: number };
  /** Wait for /readyz to answer 200 (default), or only for /healthz (an instance that may not be ready). */
  until?: 'ready' | 'up';
}

/** Starts `node dist/src/main.js` with `env` (PORT required) and waits until /readyz answers. */
export async function startInstance(env: Record<string, string>, options: InstanceOptions = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options.user,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${env.PORT}/${options.until === 'up' ? 'healthz' : 'readyz'}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`instance exited: ${output}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`instance did not become ready: ${output}`);
}

export async function stopInstance(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
