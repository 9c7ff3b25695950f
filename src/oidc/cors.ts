// Which web origins may call the provider's endpoints from a browser, per client (oidc-provider's
// clientBasedCORS; set explicitly, its default prints a notice into the log on the first CORS
// request). A browser app is a public client: it calls /token and the rest from the origins of
// its redirect URIs. Any client's pages may call userinfo from those origins with an access token.
// A confidential client's secret stays on its server, so its calls never come from a browser.
import type { Configuration } from 'oidc-provider';

export const clientBasedCORS: NonNullable<Configuration['clientBasedCORS']> = (ctx, origin, client) => {
  // Sandboxed frames and file: pages send "null": never an app's origin.
  if (origin === 'null') return false;
  if (ctx.oidc.route !== 'userinfo' && client.clientAuthMethod !== 'none') return false;
  return (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin);
};
