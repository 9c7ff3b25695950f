// /forgot-password says nothing about who has an account: the answer to a known email and to an
// unknown one is the same page (byte for byte, apart from the CSRF token), with the same status and
// headers, and it takes as long (the lookup happens in both cases; the mail goes out after the
// answer). On SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { startMailbox, type Mailbox } from '../helpers/mailbox.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const KNOWN = 'known@example.com';
const UNKNOWN = 'unknown@example.com';
const CSRF = /name="csrf" value="[^"]*"/g;
/** Headers that differ between any two responses. */
const VARYING = new Set(['date', 'x-request-id', 'set-cookie']);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.each(PROVIDERS)('no enumeration through /forgot-password on %s', (provider) => {
  let mailbox: Mailbox;
  let sesame: TestSesame;
  /** The server's own time per request (its request log line), by X-Request-Id. */
  const serverMs = new Map<string, number>();

  beforeAll(async () => {
    mailbox = await startMailbox();
    const log = createLogger('info', (line) => {
      const entry = JSON.parse(line) as { msg?: string; requestId?: string; ms?: number };
      if (entry.msg === 'request' && entry.requestId && typeof entry.ms === 'number') serverMs.set(entry.requestId, entry.ms);
    });
    sesame = await startTestSesame({ provider, env: { SMTP_URL: mailbox.url }, log });
    await sesame.container.accounts.create({ email: KNOWN, password: 'correct horse battery 42' });
  });
  afterAll(async () => {
    await sesame?.close();
    await mailbox?.close();
  });
  beforeEach(async () => {
    await sesame.container.db.prisma.rateLimit.deleteMany();
  });

  /** Opens the form in a fresh browser and sends it; the answer and how long it took. */
  async function ask(email: string) {
    const browser = new TestBrowser(sesame.issuer);
    const form = await browser.request('/forgot-password');
    const { action, fields } = browser.form(form, '/forgot-password', { email });
    const requestId = randomUUID();
    const response = await fetch(action, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.cookieHeader(new URL(action)), 'x-request-id': requestId },
      redirect: 'manual',
    });
    const body = await response.text();
    // What a timing attacker measures is the server's time to answer. Measured here in the test
    // process, the client's side would share its event loop with the in-test SMTP server parsing
    // the mail, which a real client does not; the server's request log line times the answer alone.
    const ms = serverMs.get(requestId)!;
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => {
      if (!VARYING.has(name)) headers.push([name, value]);
    });
    return { status: response.status, body: body.replace(CSRF, 'name="csrf" value="…"'), headers, ms };
  }

  it('answers a known and an unknown email with the same page', async () => {
    const known = await ask(KNOWN);
    const unknown = await ask(UNKNOWN);
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers).toEqual(known.headers);
    await sesame.container.passwordReset.settled();
    expect(mailbox.for(KNOWN).length).toBeGreaterThan(0);
    expect(mailbox.for(UNKNOWN)).toHaveLength(0);
  });

  it('takes as long for a known email as for an unknown one (the median difference of the server’s time within a few milliseconds)', async () => {
    const differences: number[] = [];
    const unknownTimes: number[] = [];
    // Warm-up, then pairs in alternating order; the quotas are reset before each request, so every
    // known request mails. Each pair's difference cancels what the machine was doing meanwhile
    // (the rest of a test run on two cores), which a comparison of two separate medians did not.
    for (const email of [KNOWN, UNKNOWN]) await ask(email);
    for (let i = 0; i < 21; i++) {
      const pair: Record<string, number> = {};
      for (const email of i % 2 === 0 ? [KNOWN, UNKNOWN] : [UNKNOWN, KNOWN]) {
        await sesame.container.db.prisma.rateLimit.deleteMany();
        pair[email] = (await ask(email)).ms;
        // The mail goes out after the answer: let it finish before the next measurement.
        await sesame.container.passwordReset.settled();
      }
      differences.push(pair[KNOWN]! - pair[UNKNOWN]!);
      unknownTimes.push(pair[UNKNOWN]!);
    }
    const difference = median(differences);
    const unknown = median(unknownTimes);
    expect(Math.abs(difference), `known - unknown: ${difference.toFixed(1)} ms (unknown ${unknown.toFixed(1)} ms)`).toBeLessThan(Math.max(5, 0.25 * unknown));
  });
});
