// What belongs to Sesame itself and no registered client may claim: the admin console's client
// (its id and its name) and every URI on the issuer's own origin. A client that could register a
// redirect URI there could receive codes meant for the console; a back-channel logout URI there
// would make Sesame send requests to itself (SSRF). Checked by buildClientMetadata, so the CLI,
// the admin API, the console and dynamic registration refuse the same things with the same words.
import { ValidationError } from '../errors.js';

/** The console's client_id: fixed, so every instance finds the one registration by id. */
export const CONSOLE_CLIENT_ID = 'sesame-console';
export const CONSOLE_CLIENT_NAME = 'Sesame console';
/** What the console asks for; it is granted without a consent page (first-party). */
export const CONSOLE_SCOPE = 'openid email profile';

export function consoleUris(issuer: string): { redirectUri: string; postLogoutRedirectUri: string } {
  const base = issuer.replace(/\/$/, '');
  return { redirectUri: `${base}/admin/callback`, postLogoutRedirectUri: `${base}/admin` };
}

/**
 * Where the account page (/account) comes back to after a sign-in it started. The account page
 * signs people in through the console's client (first-party, no consent page): see
 * src/http/account/session.ts.
 */
export function accountCallbackUri(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}${ACCOUNT_CALLBACK_PATH}`;
}

/** The account page's callback under the issuer (which may have a path of its own). */
export const ACCOUNT_CALLBACK_PATH = '/account/callback';

/** Names compared as a person reads them: case, width and spacing do not make a different name. */
const normalName = (name: string) => name.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

export function isReservedName(name: string): boolean {
  return normalName(name) === normalName(CONSOLE_CLIENT_NAME);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** host:port with the default port filled in, a trailing dot dropped, and loopback names as one. */
function authority(url: URL): string {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
  return `${LOOPBACK.has(host) ? 'loopback' : host}:${port}`;
}

/** Whether `uri` points at the server that serves `issuer` (same host and port, any path). */
export function isIssuerOrigin(uri: string, issuer: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return authority(url) === authority(new URL(issuer));
}

export interface ReservedCheck {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string | undefined;
}

/** Refuses, naming the field, what only Sesame's own console client may have. */
export function checkNotReserved(client: ReservedCheck, issuer: string): void {
  if (isReservedName(client.name)) {
    throw new ValidationError(`client_name "${client.name}" is reserved for Sesame's own admin console; choose another name`, 'client_name');
  }
  const own = (uri: string) => isIssuerOrigin(uri, issuer);
  const message = (kind: string, uri: string) =>
    `${kind} "${uri}" is on Sesame's own origin (${new URL(issuer).origin}); only Sesame's admin console may use it`;
  for (const uri of client.redirectUris) {
    if (own(uri)) throw new ValidationError(message('redirect URI', uri), 'redirect_uris');
  }
  for (const uri of client.postLogoutRedirectUris) {
    if (own(uri)) throw new ValidationError(message('post-logout redirect URI', uri), 'post_logout_redirect_uris');
  }
  if (client.backchannelLogoutUri !== undefined && own(client.backchannelLogoutUri)) {
    throw new ValidationError(message('back-channel logout URI', client.backchannelLogoutUri), 'backchannel_logout_uri');
  }
}
