// Refresh tokens as RPs really use them: several refreshes at once with one token (Apache
// mod_auth_openidc does that), a retried refresh, and a stolen copy. Confidential clients do not
// rotate unless registered with rotate_refresh_tokens, and a used token never costs them their
// grant; public clients rotate and lose the grant to a used token presented again, but not within
// REFRESH_TOKEN_REUSE_INTERVAL. openid-client is the RP, on every database this run covers.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/audit-service.js';
import { TestBrowser } from '../helpers/browser.js';
import { PROVIDERS } from '../helpers/databases.js';
import { discover, exchange, REDIRECT_URI, signIn, startAuthorization } from '../helpers/rp.js';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };
const REUSE_INTERVAL_SECONDS = 2;
const PARALLEL = 6;

/** The OAuth error code of a failed openid-client call. */
const oauthError = (error: unknown) => (error as { error?: string }).error;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(PROVIDERS)('refresh tokens on %s', (provider) => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame({ provider, env: { REFRESH_TOKEN_REUSE_INTERVAL: `${REUSE_INTERVAL_SECONDS}s` } });
    await sesame.container.accounts.create({ ...USER, emailVerified: true });
  });
  afterAll(async () => sesame?.close());

  async function rp(registration: { public?: boolean; rotate_refresh_tokens?: boolean } = {}) {
    const client = await sesame.container.clients.create({
      client_name: 'Notes',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      ...(registration.public ? { token_endpoint_auth_method: 'none' as const } : {}),
      ...(registration.rotate_refresh_tokens !== undefined ? { rotate_refresh_tokens: registration.rotate_refresh_tokens } : {}),
    });
    const config = await discover(sesame.issuer, client.client_id, client.client_secret);
    const start = await startAuthorization(config, { scope: 'openid profile email offline_access', prompt: 'consent' });
    const tokens = await exchange(config, await signIn(new TestBrowser(sesame.issuer), start, USER), start);
    expect(tokens.refresh_token).toBeTruthy();
    return { client, config, tokens };
  }

  async function revocations(clientId: string): Promise<AuditEvent[]> {
    return (await sesame.container.audit.list({ action: 'grant.revoked', limit: 500 })).events.filter((e) => e.details.client_id === clientId);
  }

  it('a confidential client does not rotate: six parallel refreshes with one token all work, and so does the next', async () => {
    const { client, config, tokens } = await rp();
    expect(client.rotate_refresh_tokens).toBe(false);
    const results = await Promise.allSettled(Array.from({ length: PARALLEL }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)));
    for (const result of results) {
      expect(result.status).toBe('fulfilled');
      // The same refresh token comes back: nothing was used up.
      if (result.status === 'fulfilled') expect(result.value.refresh_token).toBe(tokens.refresh_token);
    }
    const later = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await oidc.fetchUserInfo(config, later.access_token, oidc.skipSubjectCheck)).toMatchObject({ email: USER.email });
    expect(await revocations(client.client_id)).toEqual([]);
  });

  it('a confidential client with rotate_refresh_tokens: parallel refreshes work, and a used token later is refused without revoking the grant', async () => {
    const { client, config, tokens } = await rp({ rotate_refresh_tokens: true });
    expect(client.rotate_refresh_tokens).toBe(true);
    const results = await Promise.all(Array.from({ length: PARALLEL }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)));
    const rotated = results.map((r) => r.refresh_token!);
    expect(new Set([tokens.refresh_token, ...rotated]).size).toBe(PARALLEL + 1);

    // After the interval the used token is refused, and that is all: the grant and its other tokens stay.
    await sleep(REUSE_INTERVAL_SECONDS * 1000 + 200);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
    const next = await oidc.refreshTokenGrant(config, rotated[0]!);
    expect(next.refresh_token).not.toBe(rotated[0]);
    expect((await oidc.tokenIntrospection(config, results[1]!.access_token)).active).toBe(true);
    expect(await revocations(client.client_id)).toEqual([]);
  });

  it('a public client rotates: a used token presented again within the interval works, after it the grant is revoked', async () => {
    const { client, config, tokens } = await rp({ public: true });
    expect(client.rotate_refresh_tokens).toBe(true);
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(first.refresh_token).not.toBe(tokens.refresh_token);
    // A retry (or a parallel request) within the interval: served again, nothing revoked.
    const retried = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(retried.refresh_token).not.toBe(first.refresh_token);
    const parallel = await Promise.all(Array.from({ length: PARALLEL }, () => oidc.refreshTokenGrant(config, first.refresh_token!)));
    expect(parallel.every((r) => r.access_token)).toBe(true);
    expect(await revocations(client.client_id)).toEqual([]);

    // After it: reuse detection. The whole grant goes, the newest tokens with it.
    await sleep(REUSE_INTERVAL_SECONDS * 1000 + 200);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
    await expect(oidc.refreshTokenGrant(config, parallel[0]!.refresh_token!)).rejects.toSatisfy((e) => oauthError(e) === 'invalid_grant');
    expect((await oidc.tokenIntrospection(config, parallel[0]!.access_token)).active).toBe(false);
    let revoked: AuditEvent[] = [];
    for (let i = 0; i < 100 && revoked.length === 0; i++, await sleep(25)) revoked = await revocations(client.client_id);
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      actor: `client:${client.client_id}`,
      details: { route: 'token', reason: "a public client's used refresh token was presented again after the reuse interval" },
    });
  });

  it('refuses rotate_refresh_tokens: false for a public client, naming the field', async () => {
    await expect(
      sesame.container.clients.create({
        client_name: 'SPA',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        rotate_refresh_tokens: false,
      }),
    ).rejects.toMatchObject({ field: 'rotate_refresh_tokens', message: expect.stringMatching(/^rotate_refresh_tokens cannot be false for a public client/) });
  });
});
