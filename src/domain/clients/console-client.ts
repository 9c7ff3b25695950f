// The admin console's own client registration: public, PKCE, code flow, with exactly the console's
// URIs on the issuer's origin. Kept under a fixed client_id (never looked up by name), created by
// whichever instance starts first and repaired by any that finds it different (ISSUER changed).
import type { ClientInput } from './client-metadata.js';
import { CONSOLE_CLIENT_NAME, CONSOLE_SCOPE, consoleUris } from './reserved.js';

export function consoleClientInput(issuer: string): ClientInput {
  const { redirectUri, postLogoutRedirectUri } = consoleUris(issuer);
  return {
    name: CONSOLE_CLIENT_NAME,
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [postLogoutRedirectUri],
    public: true,
    grantTypes: ['authorization_code'],
    scope: CONSOLE_SCOPE,
  };
}
