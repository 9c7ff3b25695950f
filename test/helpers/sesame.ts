// Starts a real Sesame instance in this process, on a fresh database and a free port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { startSesame, type RunningSesame } from '../../src/server.js';
import { createTestDatabase, type Provider, type TestDatabase } from './databases.js';

export const TEST_SECRETS = {
  KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789abcdef',
  COOKIE_KEYS: 'test-cookie-key-0123456789abcdef0123456789',
};

export interface TestSesame extends RunningSesame {
  issuer: string;
  db: TestDatabase;
}

export interface TestSesameOptions {
  provider?: Provider;
  /** Reuse a database (e.g. to restart on the same data); otherwise a fresh one is made and dropped. */
  db?: TestDatabase;
  env?: Record<string, string>;
  /** The clock for key decisions (rotation rules); tokens keep real time. */
  now?: () => Date;
  /** Where the instance logs (silent by default). */
  log?: Logger;
  /** Count database statements (container.db.statements()). */
  countStatements?: boolean;
}

export async function startTestSesame(options: TestSesameOptions = {}): Promise<TestSesame> {
  const db = options.db ?? (await createTestDatabase(options.provider ?? 'sqlite'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://localhost:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    ISSUER: issuer,
    DATABASE_URL: db.url,
    ...TEST_SECRETS,
    ...options.env,
  });
  const sesame = await startSesame(config, options.log ?? silentLogger, {
    server,
    skipMigrations: true,
    ...(options.now ? { now: options.now } : {}),
    ...(options.countStatements ? { countStatements: true } : {}),
  });
  return {
    ...sesame,
    issuer,
    db,
    async close() {
      await sesame.close();
      if (!options.db) await db.drop();
    },
  };
}
