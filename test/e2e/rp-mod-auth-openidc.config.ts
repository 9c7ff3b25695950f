// The README recipe's mod_auth_openidc directives, with the issuer, the Apache's URL and the
// client filled in: the test (and the pending parallel-refresh test) configure Apache with these.
export interface ModAuthOpenidcSettings {
  issuer: string;
  /** Apache's own `http://host:port`. */
  url: string;
  clientId: string;
  clientSecret: string;
}

export function modAuthOpenidcConfig({ issuer, url, clientId, clientSecret }: ModAuthOpenidcSettings): string {
  return [
    `OIDCProviderMetadataURL ${issuer}/.well-known/openid-configuration`,
    `OIDCClientID ${clientId}`,
    `OIDCClientSecret ${clientSecret}`,
    `OIDCRedirectURI ${url}/protected/redirect_uri`,
    'OIDCCryptoPassphrase a-long-random-string-that-encrypts-the-session',
    // offline_access: the refresh token outlives the Sesame session (asked once on the consent page).
    'OIDCScope "openid profile email offline_access"',
    // Sesame requires PKCE of new clients; mod_auth_openidc 2.4 sends none unless told (or turn the
    // client's require_pkce off, as rp-mod-auth-openidc.test.ts does in its second test).
    'OIDCPKCEMethod S256',
    // Refresh the access token in the background a minute before it expires.
    'OIDCRefreshAccessTokenBeforeExpiry 60',
    `OIDCDefaultLoggedOutURL ${url}/loggedout.html`,
  ].join('\n');
}
