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
    'OIDCScope "openid profile email offline_access"',
    // after issue 12 item 3: optional (require_pkce can be turned off for the client); S256 is still better
    'OIDCPKCEMethod S256',
    // after issue 12 item 2: drop this; today offline_access (so a refresh token) is granted only with prompt=consent
    'OIDCAuthRequestParams prompt=consent',
    // Refresh the access token in the background a minute before it expires.
    'OIDCRefreshAccessTokenBeforeExpiry 60',
    `OIDCDefaultLoggedOutURL ${url}/loggedout.html`,
  ].join('\n');
}
