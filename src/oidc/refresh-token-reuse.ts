// What the token endpoint does with a refresh token that was already used (only rotating refresh
// tokens are ever used up: see `rotateRefreshToken` in configuration.ts).
//
// oidc-provider treats every used refresh token presented again as stolen: it revokes the whole
// grant (lib/actions/grants/refresh_token.js), and of two requests that find the token unused at
// the same moment, the second fails where it marks it used. RFC 9700 §4.14.2 asks for that
// detection only for public clients: a confidential client authenticates every refresh, so a copy
// of its token is worthless without its secret. And an RP that refreshes from several requests at
// once (Apache mod_auth_openidc does) or retries one whose answer it lost would lose its session.
// So, at the token endpoint's refresh_token grant:
//
// - within REFRESH_TOKEN_REUSE_INTERVAL of its first use, a used token works as if it were unused
//   (a new refresh token again, when it rotates), for any client, in parallel or in sequence; the
//   window counts from the first use, which the later ones do not move;
// - after it, a confidential client's used token is refused (invalid_grant "refresh token already
//   used") and its grant stays: nothing is revoked;
// - after it, a public client's used token is refused and its grant revoked, as oidc-provider does
//   (audited as grant.revoked).
//
// oidc-provider has no option for this. It is done where the grant handler meets its model: the
// RefreshToken class's `find` (what the handler reads, before its reuse check) and `consume` (where
// it marks the token used), wrapped for this provider only, as secret-throttling.ts wraps the
// Client model's documented compareClientSecret. Everything else about the grant stays the library's.
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';

interface StoredRefreshToken {
  clientId?: string;
  /** Epoch seconds of its first use (the adapter's `consumed`), or absent while unused. */
  consumed?: unknown;
  jti?: string;
}

type Find = (value: string, options?: object) => Promise<StoredRefreshToken | undefined>;

/** The token endpoint's refresh_token grant: the only place the reuse rules apply. */
function refreshGrantContext(): KoaContextWithOIDC | undefined {
  const ctx = Provider.ctx;
  return ctx?.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token' ? ctx : undefined;
}

export function allowRefreshTokenReuse(provider: Provider, reuseIntervalSeconds: number): void {
  const model = provider.RefreshToken as unknown as { find: Find; prototype: { consume(this: StoredRefreshToken): Promise<void> } };
  const find: Find = model.find.bind(model);
  const consume = model.prototype.consume;
  /** Tokens this request found used within the interval: they are not marked used a second time. */
  const servedAgain = new WeakSet<object>();

  const withinInterval = (consumed: unknown) => typeof consumed === 'number' && Date.now() / 1000 - consumed < reuseIntervalSeconds;

  model.find = async function findForReuse(value, options) {
    const token = await find(value, options);
    const ctx = token?.consumed ? refreshGrantContext() : undefined;
    const client = ctx?.oidc.client;
    // Another client's token: the grant handler refuses it (client mismatch) and revokes nothing.
    if (!token || !client || token.clientId !== client.clientId) return token;
    if (withinInterval(token.consumed)) {
      token.consumed = undefined;
      servedAgain.add(token);
      return token;
    }
    if (client.clientAuthMethod !== 'none') throw new errors.InvalidGrant('refresh token already used');
    // A public client's: the grant handler revokes the grant.
    return token;
  };

  model.prototype.consume = async function consumeOnce(this: StoredRefreshToken) {
    if (servedAgain.has(this)) return;
    try {
      await consume.call(this);
    } catch (error) {
      // Parallel refreshes with one token all found it unused; the first marked it used a moment
      // ago. Within the interval the others go on as well.
      if (!(error instanceof errors.InvalidGrant) || !refreshGrantContext() || typeof this.jti !== 'string') throw error;
      const stored = await find(this.jti, { ignoreExpiration: true });
      if (!withinInterval(stored?.consumed)) throw error;
    }
  };
}
