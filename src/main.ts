// `npm start`: read the configuration, start one instance, stop cleanly on SIGINT/SIGTERM.
import './wasm-compilation.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startSesame } from './server.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, { readDotEnv: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      // Every problem at once, one line each.
      for (const problem of error.problems) process.stderr.write(`sesame: ${problem}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, { format: config.logFormat });
  for (const warning of config.warnings) log.warn(warning);
  if (config.devSecretsFile) {
    log.warn('using development secrets; set KEY_ENCRYPTION_SECRET and COOKIE_KEYS for production', {
      file: config.devSecretsFile,
    });
  }

  const server = await bindPortZero(config);
  if (server) config = { ...config, issuer: issuerOn(config.issuer, (server.address() as AddressInfo).port) };
  let sesame;
  try {
    sesame = await startSesame(config, log, server ? { server } : {});
  } catch (error) {
    // What only start-up can check (a PKCS#11 token that is not there, a PIN it refuses): one line each, as above.
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`sesame: ${problem}\n`);
      process.exit(2);
    }
    throw error;
  }
  log.info('sesame is listening', { url: sesame.url, issuer: config.issuer, database: config.database.provider });
  if (config.mode !== 'production') {
    process.stdout.write(
      [
        '',
        `  Sesame is running. Discovery: ${config.issuer}/.well-known/openid-configuration`,
        '  Add a user:    npx sesame users create --email you@example.com --password "a long password"',
        '  Add a client:  npx sesame clients create --name "My app" --redirect-uri http://localhost:8080/callback',
        '',
      ].join('\n') + '\n',
    );
  }

  // First signal: graceful stop (see RunningSesame.close). A second one while requests are still
  // draining cuts them and stops now, for an operator who will not wait; exit 1 says so.
  let stopping = false;
  let forced = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn('second signal: cutting requests in flight', { signal });
      sesame.cutRequests();
      forced = true;
      return;
    }
    stopping = true;
    log.info('shutting down', { signal, timeoutMs: config.shutdownTimeout });
    sesame.close().then(
      () => process.exit(forced ? 1 : 0),
      (error: unknown) => {
        log.error('shutdown failed', { err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * PORT=0 lets the system pick a free port (several instances side by side, as the tests run them).
 * An issuer on port 0 (the default `http://localhost:$PORT`) could never be reached, so the port is
 * bound first and the issuer names the port actually bound; the listening line then reports it.
 */
async function bindPortZero(config: Config): Promise<Server | undefined> {
  if (config.port !== 0 || new URL(config.issuer).port !== '0') return undefined;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, () => resolve());
  });
  return server;
}

function issuerOn(issuer: string, port: number): string {
  const url = new URL(issuer);
  url.port = String(port);
  // As config.ts writes issuers: no trailing slash.
  return url.href.replace(/\/+$/, '');
}

main().catch((error: unknown) => {
  process.stderr.write(`sesame: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
