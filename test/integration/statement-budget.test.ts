// The statement budget of the hot paths (issue 11), counted at the database: what one request costs
// once caches are warm. Real server, real databases, real RP library. A request that goes back to
// reading its client, its account or a token's grant separately fails here.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'budget@example.com', password: 'a long enough password' };

/**
 * Statements per request; the login journey's was 46, then 28, then 18, and the issue asks for 15.
 * Each request's saves and removals of the provider's rows go out as one statement when it has its
 * answer (db/held-writes.ts), with its audit records (db/request-writes.ts); a resumed authorization
 * reads its session, interaction and grant in one; the sign-in's lock check reads the person with
 * their authenticator app. SQLite spends two more: it has no WITH clause that writes, so a sign-in's
 * and a consent's audit record are a statement of their own there (a call into the same process,
 * not a round trip).
 */
const BUDGET = { client_credentials: 1, refresh: 3, userinfo: 1, introspection: 1, journey: { postgresql: 15, sqlite: 17 } };

interface Cost {
  statements: number;
  reads: number;
}

describe.each(PROVIDERS)('statements per request on %s', (provider) => {
  let sesame: TestSesame;
  let config: oidc.Configuration;
  let tokens: oidc.TokenEndpointResponse;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, countStatements: true });
    await sesame.container.accounts.create(USER);
    const client = await sesame.container.clients.create({
      client_name: 'Budget',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      // The dearer refresh: a new refresh token each time (a confidential client's default does not rotate).
      rotate_refresh_tokens: true,
    });
    config = await discover(sesame.issuer, client.client_id, client.client_secret);
    tokens = await journey();
  });
  afterAll(async () => sesame?.close());

  function journey(): Promise<oidc.TokenEndpointResponse> {
    return (async () => {
      const start = await startAuthorization(config, { scope: 'openid offline_access', prompt: 'consent' });
      return exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start);
    })();
  }

  /** What `work` costs once caches are warm: the least of three runs (a background poll may land in one). */
  async function cost(work: () => Promise<unknown>): Promise<Cost> {
    await work();
    const runs: Cost[] = [];
    for (let run = 0; run < 3; run++) {
      const [statements, reads] = [sesame.container.db.statements(), sesame.container.db.reads()];
      await work();
      runs.push({ statements: sesame.container.db.statements() - statements, reads: sesame.container.db.reads() - reads });
    }
    return runs.reduce((least, c) => (c.statements < least.statements ? c : least));
  }

  it('client_credentials: one write and no read', async () => {
    const spent = await cost(() => oidc.clientCredentialsGrant(config));
    expect(spent).toEqual({ statements: BUDGET.client_credentials, reads: 0 });
  });

  it(`refresh (rotating): at most ${BUDGET.refresh} statements`, async () => {
    let refresh = tokens.refresh_token!;
    const spent = await cost(async () => (refresh = (await oidc.refreshTokenGrant(config, refresh)).refresh_token!));
    expect(spent.statements).toBeLessThanOrEqual(BUDGET.refresh);
    // The token and its grant in one read; the client and the account from memory.
    expect(spent.reads).toBe(1);
  });

  it('refresh for a client with allowed_groups: one read more (the membership), and none for a client without', async () => {
    await sesame.container.groups.create({ name: 'budgeteers' });
    await sesame.container.groups.addMember('budgeteers', USER.email);
    const client = await sesame.container.clients.create({
      client_name: 'Budget with rules',
      redirect_uris: [REDIRECT_URI],
      rotate_refresh_tokens: true,
      allowed_groups: ['budgeteers'],
    });
    const ruled = await discover(sesame.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(ruled, { scope: 'openid offline_access', prompt: 'consent' });
    let refresh = (await exchange(ruled, await signIn(new TestBrowser(sesame.issuer), start, USER), start)).refresh_token!;
    const spent = await cost(async () => (refresh = (await oidc.refreshTokenGrant(ruled, refresh)).refresh_token!));
    expect(spent.statements).toBeLessThanOrEqual(BUDGET.refresh + 1);
    expect(spent.reads).toBe(2);
  });

  it(`userinfo: at most ${BUDGET.userinfo} statement`, async () => {
    const spent = await cost(() => oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck));
    expect(spent.statements).toBeLessThanOrEqual(BUDGET.userinfo);
  });

  it(`introspection: at most ${BUDGET.introspection} statement`, async () => {
    const spent = await cost(async () => expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true));
    expect(spent.statements).toBeLessThanOrEqual(BUDGET.introspection);
  });

  it(`a full login journey: at most ${BUDGET.journey[provider]} statements`, async () => {
    const spent = await cost(journey);
    expect(spent.statements).toBeLessThanOrEqual(BUDGET.journey[provider]);
  });
});
