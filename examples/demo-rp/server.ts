// Runs one demo app: `node dist/examples/demo-rp/server.js` with its settings in the environment.
// `npm run demo` starts two of these (App A and App B) next to Sesame; docker-compose.yml runs each
// in its own container.
//
// The client comes either from DEMO_CLIENT_ID and DEMO_CLIENT_SECRET, or, when DEMO_CLIENT_ID is
// not set, from the clients file `node scripts/demo.mjs` writes (DEMO_CLIENTS_FILE), picking the
// entry of DEMO_APP (a: "Demo App A", b: "Demo App B").
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createDemoApp } from './app.js';

const env = process.env;

function exit(message: string, code: number): never {
  process.stderr.write(`demo-rp: ${message}\n`);
  process.exit(code);
}

/** DEMO_APP: which of the two demo apps this is, as named in the clients file. */
function demoApp(): { key: 'a' | 'b'; name: string } | undefined {
  const raw = env.DEMO_APP?.trim().toLowerCase();
  if (!raw) return undefined;
  if (raw !== 'a' && raw !== 'b') exit(`DEMO_APP "${env.DEMO_APP}" is not a or b`, 2);
  return { key: raw, name: `Demo App ${raw.toUpperCase()}` };
}

const app = demoApp();
const name = env.DEMO_NAME || app?.name || 'Demo app';
const port = Number(env.DEMO_PORT || (app?.key === 'b' ? 4002 : 4001));
if (!Number.isInteger(port) || port < 1 || port > 65535) exit(`DEMO_PORT "${env.DEMO_PORT}" is not a port number (1-65535)`, 2);
const baseUrl = env.DEMO_BASE_URL || `http://localhost:${port}`;
const issuer = env.DEMO_ISSUER || 'http://localhost:3000';

function credentials(): { clientId: string; clientSecret: string } {
  if (env.DEMO_CLIENT_ID) {
    if (!env.DEMO_CLIENT_SECRET) exit('DEMO_CLIENT_SECRET is required with DEMO_CLIENT_ID', 2);
    return { clientId: env.DEMO_CLIENT_ID, clientSecret: env.DEMO_CLIENT_SECRET };
  }
  const file = env.DEMO_CLIENTS_FILE;
  if (!file || !app) {
    exit(
      'set DEMO_CLIENT_ID and DEMO_CLIENT_SECRET, or DEMO_CLIENTS_FILE and DEMO_APP (a or b); also read: DEMO_NAME, DEMO_PORT, DEMO_BASE_URL, DEMO_ISSUER',
      2,
    );
  }
  let clients: Record<string, { client_id?: unknown; client_secret?: unknown } | undefined>;
  try {
    clients = JSON.parse(readFileSync(file, 'utf8')) as typeof clients;
  } catch (error) {
    exit(`cannot read the clients file ${file}: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  const entry = clients?.[app.name];
  if (typeof entry?.client_id !== 'string' || typeof entry.client_secret !== 'string') {
    exit(`${file} has no client_id and client_secret for "${app.name}"; run node scripts/demo.mjs --setup-only`, 1);
  }
  return { clientId: entry.client_id, clientSecret: entry.client_secret };
}

const { clientId, clientSecret } = credentials();

try {
  const { app: koa } = await createDemoApp({
    name,
    baseUrl,
    issuer,
    clientId,
    clientSecret,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const server = createServer(koa.callback());
  server.listen(port, () => process.stdout.write(`${name} is listening on ${baseUrl} (issuer ${issuer})\n`));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`demo-rp: ${name} could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
