// A request's writes of the provider's rows are stored together before it answers
// (db/held-writes.ts): when the database refuses them, the browser gets an error and no
// authorization code, and nothing of the request was stored, so trying again works. The refusal is
// the database's own (a trigger), not a stand-in for our code.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, startAuthorization, submitLogin } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'writes@example.com', password: 'a long enough password' };

/** Statements that make the database refuse to store rows of one model, and undo that. */
const refuse = (model: string) => ({
  sqlite: {
    on: [`CREATE TRIGGER refuse_rows BEFORE INSERT ON "oidc_payload" WHEN NEW."model" = '${model}' BEGIN SELECT RAISE(ABORT, 'rows refused'); END`],
    off: ['DROP TRIGGER refuse_rows'],
  },
  postgresql: {
    on: [
      `CREATE FUNCTION refuse_rows() RETURNS trigger AS $$ BEGIN IF NEW."model" = '${model}' THEN RAISE EXCEPTION 'rows refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      `CREATE TRIGGER refuse_rows BEFORE INSERT ON "oidc_payload" FOR EACH ROW EXECUTE FUNCTION refuse_rows()`,
    ],
    off: ['DROP TRIGGER refuse_rows ON "oidc_payload"', 'DROP FUNCTION refuse_rows()'],
  },
});

/** Statements that make the database refuse every audit record, and undo that. */
const refuseAudit = {
  sqlite: {
    on: [`CREATE TRIGGER refuse_audit BEFORE INSERT ON "audit_event" BEGIN SELECT RAISE(ABORT, 'audit refused'); END`],
    off: ['DROP TRIGGER refuse_audit'],
  },
  postgresql: {
    on: [
      `CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql`,
      `CREATE TRIGGER refuse_audit BEFORE INSERT ON "audit_event" FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
    ],
    off: ['DROP TRIGGER refuse_audit ON "audit_event"', 'DROP FUNCTION refuse_audit()'],
  },
};

describe.each(PROVIDERS)("a request's writes on %s", (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  const logged: { level?: string; msg?: string; action?: string }[] = [];

  beforeAll(async () => {
    const log = createLogger('info', (line) => logged.push(JSON.parse(line) as (typeof logged)[number]));
    sesame = await startTestSesame({ provider, log });
    await sesame.container.accounts.create(USER);
    const client = await sesame.container.clients.create({ client_name: 'Writes', redirect_uris: [REDIRECT_URI] });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
  });
  afterAll(async () => sesame?.close());

  const run = async (statements: string[]) => {
    for (const statement of statements) await sesame.container.db.prisma.$executeRawUnsafe(statement);
  };

  /** Submits `submit` while the database refuses rows of `model` (or, for 'audit', every audit record). */
  async function refusing<T>(model: string, submit: () => Promise<T>): Promise<T> {
    const statements = model === 'audit' ? refuseAudit[provider] : refuse(model)[provider];
    await run(statements.on);
    try {
      return await submit();
    } finally {
      await run(statements.off);
    }
  }

  it('a resumed sign-in whose code cannot be stored answers with the error page and no code, keeps the interaction, and works when tried again', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { prompt: 'consent' });
    const login = await browser.request(start.url.toString());
    const consent = await submitLogin(browser, login, USER.email, USER.password);
    expect(consent.html).toContain('/confirm');

    const failed = await refusing('AuthorizationCode', () => browser.submit(consent, '/confirm'));
    // The answer stops at the resume URL: no redirect to the app, nothing that carries a code.
    expect(failed.status).toBe(500);
    expect(failed.url).toMatch(new RegExp(`^${sesame.issuer}/auth/`));
    expect(failed.headers.get('location')).toBeNull();
    expect(failed.headers.getSetCookie()).toEqual([]);
    expect(failed.html).not.toMatch(/code=/);
    expect(failed.html).toContain('Sesame could not finish this request');

    // The interaction's removal went with the code that failed: the same resume works now.
    const callback = await browser.request(failed.url);
    expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);
    const tokens = await exchange(config, new URL(callback.url), start);
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('a consent whose grant cannot be stored answers with the error page, not the redirect to go on, and works when tried again', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { prompt: 'consent' });
    const consent = await submitLogin(browser, await browser.request(start.url.toString()), USER.email, USER.password);
    const { action, fields } = browser.form(consent, '/confirm');

    const failed = await refusing('Grant', () =>
      fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: browser.cookieHeader(new URL(action)), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams(fields),
      }),
    );
    expect(failed.status).toBe(500);
    expect(failed.headers.get('location')).toBeNull();
    expect(await failed.text()).toContain('Sesame could not finish this request');

    // Neither the grant nor the interaction's result was stored: the same form goes through now.
    const callback = await browser.submit(consent, '/confirm');
    expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);
    expect((await exchange(config, new URL(callback.url), start)).access_token).toEqual(expect.any(String));
  });

  it("stores a sign-in's and a consent's audit records before the answer goes out, with the request's writes", async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { prompt: 'consent' });
    const consent = await submitLogin(browser, await browser.request(start.url.toString()), USER.email, USER.password);
    const user = await sesame.container.accounts.findByEmail(USER.email);
    const recorded = async (action: string) => (await sesame.container.audit.list({ action, party: `user:${user!.id}` })).events.length;
    const [signedIn, consented] = [await recorded('login.succeeded'), await recorded('consent.granted')];
    expect(signedIn).toBeGreaterThan(0);
    const callback = await browser.submit(consent, '/confirm');
    expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);
    expect(await recorded('consent.granted')).toBe(consented + 1);
    expect(await recorded('login.succeeded')).toBe(signedIn);
  });

  it('a sign-in and a consent whose audit records cannot be stored go through, and the records are reported in the log', async () => {
    const browser = new TestBrowser(sesame.issuer);
    const start = await startAuthorization(config, { prompt: 'consent' });
    const login = await browser.request(start.url.toString());
    logged.length = 0;
    const callback = await refusing('audit', async () => {
      const consent = await submitLogin(browser, login, USER.email, USER.password);
      expect(consent.html).toContain('/confirm');
      return browser.submit(consent, '/confirm');
    });
    expect(callback.url.startsWith(REDIRECT_URI)).toBe(true);
    expect((await exchange(config, new URL(callback.url), start)).access_token).toEqual(expect.any(String));
    const reported = logged.filter((line) => line.level === 'error' && line.msg === 'audit event could not be stored');
    expect(reported.map((line) => line.action)).toEqual(expect.arrayContaining(['login.succeeded', 'consent.granted']));
  });
});
