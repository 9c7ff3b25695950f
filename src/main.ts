// `npm start`: read the configuration, start one instance, stop cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startSesame } from './server.js';

async function main(): Promise<void> {
  let config;
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

  const sesame = await startSesame(config, log);
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

main().catch((error: unknown) => {
  process.stderr.write(`sesame: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
