// Sesame as separate processes (the built server, as `npm start` runs it), for multi-instance tests
// and the rotation load benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface InstanceOptions {
  /** Run as this user (the test runs as root, for whom file permissions do not apply). */
  user?: { uid: number; gid: number };
  /** Wait for /readyz to answer 200 (default), or only for /healthz (an instance that may not be ready). */
  until?: 'ready' | 'up';
}

export interface Instance {
  child: ChildProcess;
  /** Where it listens, as it reported it: `http://localhost:PORT`. */
  url: string;
  port: number;
}

/** How long an instance may take to report its port, and then to answer /readyz. */
const START_TIMEOUT_MS = 20_000;
/** Log levels at which main.ts's 'sesame is listening' line (info) is written. */
const LISTENING_LINE_LEVELS = new Set(['debug', 'info']);

/**
 * Starts `node dist/src/main.js` with `env` on a port the system picks, and waits until /readyz
 * answers. The child binds PORT=0 itself and reports the port in its 'sesame is listening' log
 * line: a port picked here and released for the child to bind could be taken in between. Without
 * ISSUER in `env` the instance's issuer is its own address (main.ts).
 */
export async function startInstance(env: Record<string, string>, options: InstanceOptions = {}): Promise<Instance> {
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LISTENING_LINE_LEVELS.has(logLevel)) throw new Error(`startInstance reads the port from an info log line: LOG_LEVEL=${logLevel} hides it`);
  if ('PORT' in env) throw new Error('startInstance picks the port (PORT=0); read it from the instance it returns');
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, NODE_ENV: 'test', ...env, LOG_LEVEL: logLevel, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options.user,
  });
  // Everything it printed until it was ready, for the error message if it never gets there. The
  // listeners stay: they keep draining the pipes, so a chatty instance never blocks on a full one.
  let output = '';
  let starting = true;
  let partial = '';
  let reportUrl!: (url: string) => void;
  const reported = new Promise<string>((resolve) => (reportUrl = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!starting) return;
    output += chunk.toString();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const url = listeningUrl(line);
      if (url) reportUrl(url);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (starting) output += chunk.toString();
  });
  const exited = once(child, 'exit').then(() => {
    throw new Error(`instance exited (${child.exitCode ?? child.signalCode}): ${output}`);
  });
  exited.catch(() => {}); // an exit is an error only while starting: the race and the loop below report it
  const failed = (why: string) => {
    child.kill('SIGKILL');
    return new Error(`instance ${why}: ${output}`);
  };

  try {
    const url = await Promise.race([reported, exited, timeout(START_TIMEOUT_MS)]);
    if (url === undefined) throw failed(`did not report its port within ${START_TIMEOUT_MS} ms`);
    const probe = `${url}/${options.until === 'up' ? 'healthz' : 'readyz'}`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answers(probe))) {
      if (child.exitCode !== null) await exited;
      if (Date.now() > deadline) throw failed(`did not answer ${probe} within ${START_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { child, url, port: Number(new URL(url).port) };
  } finally {
    starting = false;
    output = '';
  }
}

/** The `url` of main.ts's 'sesame is listening' JSON log line; undefined for any other line. */
function listeningUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined; // the human lines printed outside production
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'sesame is listening' && typeof entry.url === 'string' ? entry.url : undefined;
  } catch {
    return undefined;
  }
}

const timeout = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref());

const answers = (url: string) =>
  fetch(url).then(
    (response) => response.ok,
    () => false,
  );

export async function stopInstance(instance: Instance): Promise<void> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
