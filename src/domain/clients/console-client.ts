// The admin console's own client registration (also the account page's way to start a sign-in): public, PKCE, code flow, with exactly the console's
// URIs on the issuer's origin. Kept under a fixed client_id (never looked up by name), created by
// whichever instance starts first and repaired by any that finds it different (ISSUER changed).
import { accountCallbackUri, CONSOLE_CLIENT_NAME, CONSOLE_SCOPE, consoleUris } from './reserved.js';
import type { ClientRegistration } from './schema.js';

export function consoleClientRegistration(issuer: string): ClientRegistration {
  const { redirectUri, postLogoutRedirectUri } = consoleUris(issuer);
  return {
    client_name: CONSOLE_CLIENT_NAME,
    // The account page's sign-in comes back to its own callback (src/http/account/session.ts).
    redirect_uris: [redirectUri, accountCallbackUri(issuer)],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    scope: CONSOLE_SCOPE,
  };
}
