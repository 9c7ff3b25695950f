// Debian's Chromium driven by playwright-core (Playwright's own browsers cannot be downloaded
// here). Flags as on this machine: no sandbox as root, nothing that phones home.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const CHROMIUM_PATH = CANDIDATES.find((path): path is string => !!path && existsSync(path));

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error('Chromium not found: apt-get install -y chromium');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/**
 * One Chromium for the whole test file: launched in a top-level beforeAll (when `enabled`, by
 * default when Chromium is installed) and closed in afterAll. Call at the top level of the file;
 * the getter gives the browser inside hooks and tests.
 */
export function useChromium(enabled: unknown = CHROMIUM_PATH): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (enabled) browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium was not launched (useChromium)');
    return browser;
  };
}

export interface ChromiumProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium on a fresh profile whose cookie setting allows third-party cookies (what a person gets
 * from "Allow third-party cookies"), ignoring certificate errors (the TLS proxy's self-signed
 * certificate). Chromium blocks them by default here, in Playwright's contexts too, as Safari and
 * Firefox do: an iframe on another site's page then gets no cookies at all, whatever SameSite says.
 */
export async function chromiumAllowingThirdPartyCookies(): Promise<ChromiumProfile> {
  if (!CHROMIUM_PATH) throw new Error('Chromium not found: apt-get install -y chromium');
  const profile = mkdtempSync(join(tmpdir(), 'sesame-chromium-'));
  mkdirSync(join(profile, 'Default'));
  // 0 = allow third-party cookies (chrome://settings/cookies), 1 = block them in incognito, 2 = block.
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, ignoreHTTPSErrors: true, args: ARGS });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where screenshots of a test run go (not committed). */
export function screenshotDir(name: string): string {
  const dir = join(process.cwd(), 'test-results', 'screenshots', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
