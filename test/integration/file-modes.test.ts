// Owner-only files on SQLite: a fresh development start creates ./data 0700 and the database, its
// -wal and -shm and the development secrets 0600, whatever the umask lets through; a database and
// secrets file an earlier version left readable by others are tightened at the next start.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startSesame } from '../../src/server.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Starts Sesame in development mode with everything defaulted under `cwd`, makes a write, stops. */
async function startAndWrite(cwd: string, check: () => void): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({ NODE_ENV: 'development', PORT: String(port), ISSUER: `http://localhost:${port}` }, { cwd });
  const sesame = await startSesame(config, silentLogger, { server });
  try {
    await sesame.container.accounts.create({ email: 'modes@example.com', password: 'correct horse battery staple' });
    check();
  } finally {
    await sesame.close();
  }
}

describe('file modes on SQLite', () => {
  let cwd: string;
  let umask: number;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'sesame-modes-'));
    // The common default, which lets group and others read what is created without a mode.
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('creates ./data 0700 and the database, its -wal and -shm and the development secrets 0600', async () => {
    const data = join(cwd, 'data');
    await startAndWrite(cwd, () => {
      expect(modeOf(data).toString(8)).toBe('700');
      for (const file of ['sesame.db', 'sesame.db-wal', 'sesame.db-shm', 'dev-secrets.json']) {
        expect(modeOf(join(data, file)).toString(8), file).toBe('600');
      }
    });
  });

  it('tightens a database and secrets file left readable by others, and leaves a folder it did not create alone', async () => {
    const data = join(cwd, 'data');
    mkdirSync(data, { mode: 0o755 });
    writeFileSync(join(data, 'sesame.db'), '', { mode: 0o644 });
    writeFileSync(join(data, 'dev-secrets.json'), JSON.stringify({ keyEncryptionSecret: 'k'.repeat(43), cookieKeys: ['c'.repeat(43)] }), { mode: 0o644 });

    await startAndWrite(cwd, () => {
      expect(modeOf(join(data, 'sesame.db')).toString(8)).toBe('600');
      expect(modeOf(join(data, 'sesame.db-wal')).toString(8)).toBe('600');
      expect(modeOf(join(data, 'dev-secrets.json')).toString(8)).toBe('600');
    });
    expect(modeOf(data).toString(8)).toBe('755');
  });
});
