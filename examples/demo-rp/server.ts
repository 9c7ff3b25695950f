// Runs one demo app: `node dist/examples/demo-rp/server.js` with its settings in the environment.
// `npm run demo` starts two of these (App A and App B) next to Sesame.
import { createServer } from 'node:http';
import { createDemoApp } from './app.js';

const env = process.env;

function required(name: string): string {
  const value = env[name];
  if (!value) {
    process.stderr.write(`demo-rp: ${name} is required (DEMO_NAME, DEMO_PORT, DEMO_ISSUER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)\n`);
    process.exit(2);
  }
  return value;
}

const name = env.DEMO_NAME || 'Demo app';
const port = Number(env.DEMO_PORT || 4001);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`demo-rp: DEMO_PORT "${env.DEMO_PORT}" is not a port number (1-65535)\n`);
  process.exit(2);
}
const baseUrl = env.DEMO_BASE_URL || `http://localhost:${port}`;
const issuer = env.DEMO_ISSUER || 'http://localhost:3000';

try {
  const { app } = await createDemoApp({
    name,
    baseUrl,
    issuer,
    clientId: required('DEMO_CLIENT_ID'),
    clientSecret: required('DEMO_CLIENT_SECRET'),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const server = createServer(app.callback());
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
