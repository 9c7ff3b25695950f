// The discovery document leaves out the scopes that are Sesame's own business. oidc-provider
// lists every value of its `scopes` option, and `admin` must stay there: taken out, the provider
// would no longer check it against a client's registered scope. So it is removed from the
// response instead, after the provider built it.
import type Provider from 'oidc-provider';
import { ADMIN_SCOPE } from '../domain/clients/client-metadata.js';

const UNADVERTISED = new Set([ADMIN_SCOPE]);

export function hideUnadvertisedScopes(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'discovery') return;
    const body = ctx.body as { scopes_supported?: unknown } | undefined;
    if (body && Array.isArray(body.scopes_supported)) {
      body.scopes_supported = body.scopes_supported.filter((scope) => !UNADVERTISED.has(String(scope)));
    }
  });
}
