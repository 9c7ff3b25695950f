// Starts one Sesame instance: migrations, keys, provider, HTTP. Used by main.ts and the tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startChangeWatcher } from './change-watcher.js';
import type { Config } from './config.js';
import { createContainer, type Container } from './container.js';
import { migrate } from './db/migrate.js';
import { createAccountRouter } from './http/account/router.js';
import { createAdminApiRouter } from './http/admin/api.js';
import { createApp } from './http/app.js';
import { createConsoleRouter } from './http/console/router.js';
import { trackConnections } from './http/graceful-close.js';
import { setUpConsoleClient } from './http/console/own-client.js';
import { applyAtStart } from './domain/configuration/apply-at-start.js';
import { JwksDocument } from './http/jwks.js';
import { Metrics } from './http/metrics.js';
import type { Logger } from './logger.js';
import { createActiveKeySigner } from './domain/keys/event-signer.js';
import { startKeyEventDelivery } from './domain/keys/key-event-delivery.js';
import { startKeySync } from './oidc/key-set-sync.js';
import { startPayloadSweeper } from './oidc/payload-sweeper.js';
import { createProvider, providerDepsFor } from './oidc/provider.js';
import { ProviderHolder } from './oidc/provider-holder.js';
import { readinessCheck } from './readiness.js';

export interface RunningSesame {
  container: Container;
  server: Server;
  holder: ProviderHolder;
  /** Base URL the server listens on (the issuer may differ behind a proxy). */
  url: string;
  /** Picks up key changes now instead of at the next KEY_SYNC_INTERVAL tick. */
  syncKeys(): Promise<void>;
  /**
   * Graceful stop: readiness fails at once, the listener closes, requests in flight get up to
   * SHUTDOWN_TIMEOUT to finish (then they are cut), background timers stop, the database closes.
   */
  close(): Promise<void>;
  /** During close(): stop waiting for requests in flight and cut them now. */
  cutRequests(): void;
}

export interface StartOptions {
  /** An http.Server that is already listening (tests use port 0, then set ISSUER to it). */
  server?: Server;
  /** Skip applying migrations (the caller already did). */
  skipMigrations?: boolean;
  /** The clock for key decisions (tests). */
  now?: () => Date;
  /** Count database statements (container.db.statements()): tests of the statement budget. */
  countStatements?: boolean;
}

const SWEEP_INTERVAL_MS = 60_000;
/** How often an instance writes the /jwks fetches it counted (one statement): the gate's data lag. */
const JWKS_FETCHES_FLUSH_MS = 5_000;
/** A change made on one instance takes effect on every other within this (issue 11). */
const CHANGE_POLL_INTERVAL_MS = 1_000;
/** Key events made elsewhere (the CLI, another instance) are taken up within this. */
const KEY_EVENT_POLL_INTERVAL_MS = 5_000;

export async function startSesame(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningSesame> {
  if (!options.skipMigrations) {
    const { applied } = await migrate(config.database);
    if (applied.length > 0) log.info('database migrated', { applied });
  }
  const container = await createContainer(config, log, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.countStatements ? { countStatements: true } : {}),
  });
  try {
    // KEY_STORE=pkcs11: a module, token or PIN that does not work stops start-up here, with one line.
    await container.keys.checkStore();
  } catch (error) {
    await container.close();
    throw error;
  }
  await container.keys.ensureKeys();
  // Where mails go; without SMTP_URL in production the features that need mail are off, and say so here.
  if (container.mailer.available) log.info(container.mailer.description);
  else log.warn(container.mailer.description);
  if (config.signup.open && !container.mailer.available) log.warn('SIGNUP=open but mail is off (SMTP_URL is not set): sign-up is off');
  // Before the first request, so the console never runs without its own registration.
  await setUpConsoleClient(container);
  if (config.configFile) {
    try {
      await applyAtStart(config.configFile, container.configuration, log);
    } catch (error) {
      await container.close();
      throw error;
    }
  }

  const { payloads } = container;
  const metrics = new Metrics();
  const providerDeps = { ...providerDepsFor(container), tokenIssued: (grantType: string) => metrics.tokenIssued(grantType) };
  // One read for the provider and /jwks alike; every published private key must open here, so an
  // instance missing a KEY_ENCRYPTION_SECRET refuses to start rather than fail later.
  const initial = await container.keys.load({ strict: true });
  const holder = new ProviderHolder(createProvider(providerDeps, await initial.signingJwks()));
  const jwks = new JwksDocument(initial.set, config);
  metrics.watchSigning(() => holder.suspended() === undefined);
  metrics.watchKeys(() => container.keys.list());
  metrics.watchJwks(() => container.jwksWatch.status());
  container.jwksWatch.tally.start(JWKS_FETCHES_FLUSH_MS);
  warnAboutDisabledAlgorithms(container);
  const keySync = startKeySync(
    {
      keys: container.keys,
      holder,
      buildProvider: (keys) => createProvider(providerDeps, keys),
      publish: (set) => {
        jwks.update(set);
        metrics.keysChanged();
      },
      intervalMs: config.keySyncInterval,
      log,
      failed: () => metrics.keySyncFailed(),
    },
    initial.set,
  );
  const changes = await startChangeWatcher({
    feed: container.changes,
    pollIntervalMs: CHANGE_POLL_INTERVAL_MS,
    log,
    handlers: {
      clients: () => container.clients.forgetCached(),
      accounts: () => container.accounts.forgetCached(),
      keys: () => keySync.refresh(),
    },
  });
  const server = options.server ?? createServer();
  // Before the app's request listener: it must see every request first.
  const connections = trackConnections(server);
  const app = createApp({
    config,
    holder,
    services: container,
    routers: [
      createAdminApiRouter({ services: container, provider: () => holder.current() }),
      createConsoleRouter({ services: container, issuer: config.issuer }),
      createAccountRouter({
        services: container,
        issuer: config.issuer,
        provider: () => holder.current(),
        selfService: container.mailer.available ? container.selfService : undefined,
      }),
    ],
    metrics,
    jwks,
    jwksFetched: (source, userAgent, kids) => container.jwksWatch.tally.record(source, userAgent, kids),
    log,
    readiness: readinessCheck({ db: container.db, shuttingDown: () => connections.draining, keys: () => keySync.problem(), log }),
  });
  const sweeper = startPayloadSweeper({
    payloads,
    intervalMs: SWEEP_INTERVAL_MS,
    log: (msg, err) => log.warn(msg, { err }),
    others: [
      { name: 'failed-attempt counters', deleteExpired: (now) => container.attempts.deleteExpired(now) },
      { name: 'console sessions', deleteExpired: (now) => container.consoleSessions.deleteExpired(now) },
      { name: 'mailed links', deleteExpired: (now) => container.emailTokens.deleteExpired(now) },
      { name: 'passkey challenges', deleteExpired: (now) => container.passkeys.deleteExpiredChallenges(now) },
      { name: 'key events', deleteExpired: (now) => container.keyEvents.deleteExpired(now) },
      { name: 'JWKS fetchers', deleteExpired: (now) => container.jwksWatch.deleteExpired(now) },
    ],
  });

  server.on('request', app.callback());
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, () => resolve());
    });
  }
  const { port } = server.address() as AddressInfo;
  // Once listening: a receiver verifies what it gets against our /jwks at once.
  const keyEvents = startKeyEventDelivery({
    outbox: container.keyEvents.outbox,
    // Signed with the active key of the first family, which every RP of ours can already verify.
    signer: createActiveKeySigner(container.keys, config.signingAlgs[0]!),
    config: config.keyEvents,
    log,
    pollIntervalMs: KEY_EVENT_POLL_INTERVAL_MS,
    dispatched: (type) => metrics.keyEvent(type),
    attempted: (outcome) => metrics.keyEventDelivery(outcome),
  });
  const stopWakingKeyEvents = container.keyEvents.onRecorded(() => keyEvents.wake());

  return {
    container,
    server,
    holder,
    url: `http://localhost:${port}`,
    syncKeys: () => keySync.refresh(),
    async close() {
      const started = Date.now();
      const { cut } = await connections.drain(config.shutdownTimeout);
      if (cut > 0) log.warn('requests cut at shutdown', { cut, timeoutMs: config.shutdownTimeout });
      stopWakingKeyEvents();
      await Promise.all([sweeper.stop(), changes.stop(), keyEvents.stop()]);
      await keySync.stop();
      // What this instance counted of /jwks fetches is written before the database closes.
      await container.jwksWatch.tally.stop();
      // What answered requests left to do (sign-ups, email changes, mails) finishes before the database closes.
      await Promise.all([container.signUp.settled(), container.passwordReset.settled(), container.selfService.verification.settled()]);
      await container.close();
      log.info('stopped', { ms: Date.now() - started });
    },
    cutRequests: () => connections.cutNow(),
  };
}

/** Clients whose ID tokens would need an algorithm that is not in SIGNING_ALGS get a start-up warning. */
function warnAboutDisabledAlgorithms(container: Container): void {
  void container.clients.list().then(
    (clients) => {
      for (const client of clients) {
        const alg = client.id_token_signed_response_alg;
        if (alg && !container.keys.isEnabled(alg)) {
          container.log.warn('client asks for ID tokens signed with an algorithm that is not in SIGNING_ALGS: its sign-ins fail', {
            client_id: client.client_id,
            client_name: client.client_name,
            alg,
          });
        }
      }
    },
    (error: unknown) => container.log.warn('clients could not be checked against SIGNING_ALGS', { err: error }),
  );
}
