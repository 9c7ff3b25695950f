// Apache httpd with mod_auth_openidc from Debian's packages (apt-get install -y apache2
// libapache2-mod-auth-openidc; .ci/run installs them), run as a child process of the test with a
// configuration generated into a temporary directory: its own ServerRoot, PidFile, ErrorLog and
// port, nothing from /etc/apache2. Under /protected it serves a page (server-side includes) that
// prints the environment mod_auth_openidc hands the app: OIDC_CLAIM_* and OIDC_access_token.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HTTPD_CANDIDATES = [process.env.APACHE_HTTPD, '/usr/sbin/apache2', '/usr/sbin/httpd'];
const MODULE_DIR = '/usr/lib/apache2/modules';

export const HTTPD_PATH = HTTPD_CANDIDATES.find((path): path is string => !!path && existsSync(path));
/** Both Apache and the module are there (Debian: apache2 and libapache2-mod-auth-openidc). */
export const MOD_AUTH_OPENIDC = HTTPD_PATH && existsSync(join(MODULE_DIR, 'mod_auth_openidc.so')) ? HTTPD_PATH : undefined;

const MODULES = ['mpm_event', 'authn_core', 'authz_core', 'authz_user', 'mime', 'include', 'auth_openidc'];

export interface ApacheOptions {
  /**
   * The mod_auth_openidc directives (OIDCProviderMetadataURL, OIDCClientID, ...) for an Apache at
   * `baseUrl`, one per line: the client can be registered here, once the port is known.
   */
  oidc(baseUrl: string): Promise<string>;
}

export interface RunningApache {
  /** `http://localhost:PORT` */
  url: string;
  /** What Apache and mod_auth_openidc logged so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The protected page: every variable mod_auth_openidc set, one `NAME=value` per line, between
 * markers the tests look for (SSI's printenv, entity-encoded).
 */
const ENV_PAGE = '<!DOCTYPE html><title>protected</title><pre id="env">\n<!--#printenv -->\n</pre>\n';
const LOGGED_OUT_PAGE = '<!DOCTYPE html><title>signed out</title><p>You are signed out of the Apache app.</p>\n';

/** Starts httpd in the foreground on a free port; gives up after 20 s if it does not answer. */
export async function startApache(options: ApacheOptions): Promise<RunningApache> {
  if (!MOD_AUTH_OPENIDC) throw new Error('Apache with mod_auth_openidc not found: apt-get install -y apache2 libapache2-mod-auth-openidc');
  const dir = mkdtempSync(join(tmpdir(), 'sesame-apache-'));
  // The workers run as www-data when the test runs as root: they must read the pages.
  chmodSync(dir, 0o755);
  const docs = join(dir, 'htdocs');
  mkdirSync(join(docs, 'protected'), { recursive: true });
  writeFileSync(join(docs, 'protected', 'env.shtml'), ENV_PAGE);
  writeFileSync(join(docs, 'loggedout.html'), LOGGED_OUT_PAGE);
  // mod_mime reads a types file; the two types these pages need are set below.
  writeFileSync(join(dir, 'mime.types'), 'text/html html\n');
  try {
    return await startIn(dir, docs, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(dir: string, docs: string, options: ApacheOptions): Promise<RunningApache> {
  // A port picked here may be taken before httpd binds it; one retry covers that rare case.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const asRoot = process.getuid?.() === 0;
    const conf = [
      `ServerRoot "${dir}"`,
      `DefaultRuntimeDir "${dir}"`,
      `PidFile "${join(dir, 'httpd.pid')}"`,
      `ErrorLog "${join(dir, 'error.log')}"`,
      'LogLevel warn auth_openidc:info',
      ...MODULES.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
      ...(asRoot ? ['User www-data', 'Group www-data'] : []),
      `Listen 127.0.0.1:${port}`,
      `ServerName localhost:${port}`,
      // Enough threads in one process for parallel requests, and one process for the cache.
      'StartServers 1',
      'ServerLimit 1',
      'ThreadsPerChild 16',
      'MaxRequestWorkers 16',
      'MinSpareThreads 1',
      'MaxSpareThreads 16',
      `DocumentRoot "${docs}"`,
      `TypesConfig "${join(dir, 'mime.types')}"`,
      'AddType text/html .shtml',
      'AddOutputFilter INCLUDES .shtml',
      `<Directory "${docs}">`,
      '  Options +Includes',
      '  Require all granted',
      '</Directory>',
      await options.oidc(url),
      '<Location /protected>',
      '  AuthType openid-connect',
      '  Require valid-user',
      '</Location>',
      '',
    ].join('\n');
    const confFile = join(dir, 'httpd.conf');
    writeFileSync(confFile, conf);
    const child = spawn(HTTPD_PATH!, ['-f', confFile, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
    const exited = once(child, 'exit');
    const up = await answering(`${url}/loggedout.html`, child);
    if (up) {
      return {
        url,
        errorLog,
        async stop() {
          await stopChild(child, exited);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child, exited);
    const log = `${output}${errorLog()}`;
    if (attempt >= 2 || !/Address already in use/.test(log)) throw new Error(`Apache did not start:\n${log}\n${conf}`);
  }
}

async function answering(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The variables the protected page printed (SSI printenv: `NAME=value` lines, entity-encoded). */
export function parseEnvPage(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}
