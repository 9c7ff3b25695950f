// `npm start` in production with a configuration copied from an example: it refuses to start and
// lists every problem at once, one line each, without printing a secret.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('production start-up checks', () => {
  it('exits 2 with one line per problem and never a secret', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sesame-production-'));
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        KEY_ENCRYPTION_SECRET: 'changeme-changeme-changeme-changeme',
        COOKIE_KEYS: 'changeme-changeme-changeme-changeme',
        DATABASE_URL: `file:${join(cwd, 'sesame.db')}`,
      };
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], { cwd, env }, (_error, stdout, stderr) =>
          resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      // oidc-provider's notice on Node 20 ("Unsupported runtime") is not ours.
      const lines = run.stderr
        .trimEnd()
        .split('\n')
        .filter((line) => !line.startsWith('oidc-provider WARNING'));
      expect(lines).toEqual([
        expect.stringMatching(/^sesame: KEY_ENCRYPTION_SECRET is invalid: the value does not look random/),
        expect.stringMatching(/^sesame: COOKIE_KEYS is invalid: the key does not look random/),
        'sesame: COOKIE_KEYS is invalid: a key is also a KEY_ENCRYPTION_SECRET value; use a different secret for each',
        expect.stringMatching(/^sesame: ISSUER is invalid: required when NODE_ENV=production/),
      ]);
      expect(run.stderr).not.toContain('changeme');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
