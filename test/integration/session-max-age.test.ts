// The absolute session lifetime: oidc-provider saves a session again with a fresh idle TTL on every
// request, so without SESSION_MAX_AGE a session used often enough never ends. Short lifetimes,
// SESSION_TTL=3s (idle) and SESSION_MAX_AGE=6s, the browser busy every second of a clock the test
// moves forward (helpers/clock.ts) instead of waiting.
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { advanceClock, restoreClock, useTestClock } from '../helpers/clock.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, REDIRECT_URI, signIn, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'busy@example.com', password: 'a busy person password' };
const IDLE_MS = 3000;
const MAX_AGE_MS = 6000;

describe.each(PROVIDERS)('absolute session lifetime on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;

  beforeAll(async () => {
    // Before the instance starts: the session lifetime keeps a reference to Date.now.
    useTestClock();
    sesame = await startTestSesame({ provider, env: { SESSION_TTL: '3s', SESSION_MAX_AGE: '6s' } });
    await sesame.container.accounts.create(USER);
    const client = await sesame.container.clients.create({ client_name: 'Busy', redirect_uris: [REDIRECT_URI] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => {
    await sesame?.close();
    restoreClock();
  });

  /** What a prompt=none authorization gets back: 'code' while the session lives, else the error. */
  async function silently(browser: TestBrowser): Promise<string> {
    const page = await browser.request((await startAuthorization(config, { prompt: 'none' })).url.toString());
    expect(page.url.startsWith(REDIRECT_URI), `${page.status} ${page.url}`).toBe(true);
    const params = new URL(page.url).searchParams;
    return params.get('code') ? 'code' : (params.get('error') ?? 'nothing');
  }

  /** Uses the session every second until it fails; when each use happened (ms after `since`) and what it got. */
  async function keepBusy(browser: TestBrowser, since: number, untilMs: number): Promise<{ at: number; result: string }[]> {
    const uses: { at: number; result: string }[] = [];
    while (Date.now() - since < untilMs) {
      advanceClock(1000);
      const at = Date.now() - since;
      const result = await silently(browser);
      uses.push({ at, result });
      if (result !== 'code') break;
    }
    return uses;
  }

  it('ends a session kept busy past SESSION_MAX_AGE: prompt=none then gives login_required', async () => {
    const browser = new TestBrowser(sesame.issuer);
    await signIn(browser, await startAuthorization(config), USER);
    const signedIn = Date.now(); // the session's sign-in happened just before

    const uses = await keepBusy(browser, signedIn, MAX_AGE_MS + 4000);
    const failed = uses.findIndex((u) => u.result !== 'code');
    expect(failed, JSON.stringify(uses)).toBeGreaterThan(0);
    // Being busy kept it alive past the idle timeout...
    expect(
      uses.slice(0, failed).some((u) => u.at >= IDLE_MS),
      JSON.stringify(uses),
    ).toBe(true);
    // ...but not past the absolute one. The bound counts from the sign-in's whole second and each
    // save's lifetime is rounded down: it ends in the last second before MAX_AGE (half a second
    // of slack for the clock running on while the requests are made).
    expect(uses[failed]!.result).toBe('login_required');
    expect(uses[failed]!.at, JSON.stringify(uses)).toBeGreaterThan(MAX_AGE_MS - 2000);
    expect(uses[failed]!.at, JSON.stringify(uses)).toBeLessThanOrEqual(MAX_AGE_MS + 500);
  });

  it('starts the lifetime again with a fresh sign-in (prompt=login)', async () => {
    const browser = new TestBrowser(sesame.issuer);
    await signIn(browser, await startAuthorization(config), USER);
    // The control: signed in at the same time, used at the same times, never signing in again.
    const control = new TestBrowser(sesame.issuer);
    await signIn(control, await startAuthorization(config), USER);
    const first = Date.now();
    advanceClock(2000);
    const login = await browser.request((await startAuthorization(config, { prompt: 'login' })).url.toString());
    const again = await submitLogin(browser, login, USER.email, USER.password);
    expect(again.url.startsWith(REDIRECT_URI), again.url).toBe(true);
    expect(await silently(control)).toBe('code');

    // Past the first sign-in's bound (6 s after it), before the second's: still signed in; the
    // control, busy just as often, is not.
    const controlResults: string[] = [];
    for (const at of [3500, 5000, 6500]) {
      advanceClock(first + at - Date.now());
      expect(await silently(browser), `${Date.now() - first} ms after the first sign-in`).toBe('code');
      controlResults.push(await silently(control));
    }
    expect(Date.now() - first).toBeGreaterThan(MAX_AGE_MS);
    expect(controlResults[0]).toBe('code');
    expect(controlResults.at(-1)).toBe('login_required');
  });
});
