// Debian's Chromium driven by playwright-core (Playwright's own browsers cannot be downloaded
// here). Flags as on this machine: no sandbox as root, nothing that phones home.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const CHROMIUM_PATH = CANDIDATES.find((path): path is string => !!path && existsSync(path));

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error('Chromium not found: apt-get install -y chromium');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where screenshots of a test run go (not committed). */
export function screenshotDir(name: string): string {
  const dir = join(process.cwd(), 'test-results', 'screenshots', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
