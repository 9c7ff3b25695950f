// The discovery document leaves out the scopes that are Sesame's own business. oidc-provider
// lists every value of its `scopes` option, and `admin` must stay there: taken out, the provider
// would no longer check it against a client's registered scope. So it is removed from the
// response instead, after the provider built it.
//
// It also says how clients authenticate at the introspection and revocation endpoints (RFC 8414
// §2), which oidc-provider leaves out: the same methods and algorithms as at the token endpoint,
// since all three run the same client authentication. And that Sesame does Front-Channel Logout
// 1.0 (frontchannel-logout.ts), which oidc-provider 9 no longer does, with iss and sid. And the
// languages its pages speak (ui_locales_supported), which an RP may ask for with ui_locales.
import type Provider from 'oidc-provider';
import { LOCALES } from '../../views/i18n/locale.js';
import { ADMIN_SCOPE } from '../domain/clients/client-metadata.js';

const UNADVERTISED = new Set([ADMIN_SCOPE]);

/**
 * The finished document of each provider, as it answered the first GET of it. It depends only on
 * the provider's configuration and keys (a key-set change builds a new provider, and so a new
 * document), never on the request: our app serves it from here (http/discovery-route.ts).
 */
const documents = new WeakMap<Provider, string>();

/** The provider's discovery document, once it has built it for a request; undefined before. */
export function discoveryDocumentOf(provider: Provider): string | undefined {
  return documents.get(provider);
}

export const OPENID_DISCOVERY_PATH = '/.well-known/openid-configuration';

export function adjustDiscovery(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'discovery') return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body) return;
    if (Array.isArray(body.scopes_supported)) {
      body.scopes_supported = body.scopes_supported.filter((scope) => !UNADVERTISED.has(String(scope)));
    }
    body.ui_locales_supported = [...LOCALES];
    body.frontchannel_logout_supported = true;
    body.frontchannel_logout_session_supported = true;
    for (const endpoint of ['introspection', 'revocation']) {
      if (body[`${endpoint}_endpoint`] === undefined) continue;
      body[`${endpoint}_endpoint_auth_methods_supported`] = body.token_endpoint_auth_methods_supported;
      body[`${endpoint}_endpoint_auth_signing_alg_values_supported`] = body.token_endpoint_auth_signing_alg_values_supported;
    }
    if (ctx.status === 200 && ctx.path === OPENID_DISCOVERY_PATH) documents.set(provider, JSON.stringify(body));
  });
}
