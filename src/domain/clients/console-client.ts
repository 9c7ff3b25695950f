// The admin console's own client registration: public, PKCE, code flow, with exactly the console's
// URIs on the issuer's origin. Kept under a fixed client_id (never looked up by name), created by
// whichever instance starts first and repaired by any that finds it different (ISSUER changed).
import { CONSOLE_CLIENT_NAME, CONSOLE_SCOPE, consoleUris } from './reserved.js';
import type { ClientRegistration } from './schema.js';

export function consoleClientRegistration(issuer: string): ClientRegistration {
  const { redirectUri, postLogoutRedirectUri } = consoleUris(issuer);
  return {
    client_name: CONSOLE_CLIENT_NAME,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    scope: CONSOLE_SCOPE,
  };
}
