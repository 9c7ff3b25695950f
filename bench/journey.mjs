// What the bench asks of a server: the browserless sign-in journey and the single requests, the
// same for Sesame and for the baseline (whose interaction pages have the same forms).
//
// The journey is what a browser does on a first visit: GET /auth with PKCE (S256), follow the
// redirect to the login page, post its form (email, password and the page's CSRF token), follow
// to the consent page, post Allow, follow to the RP's callback, then the RP's back-channel POST
// /token with the code and the verifier. A fresh cookie jar each time: a new person, a new
// session, so every journey checks a password (argon2id) and asks for consent.
import { createHash, randomBytes } from 'node:crypto';

/** @typedef {import('./load.mjs').Target} Target */
/** @typedef {import('./load.mjs').Reply} Reply */
/** @typedef {{ clientId: string, clientSecret: string }} ClientCredentials */
/** @typedef {ClientCredentials & { redirectUri: string }} App */
/** @typedef {{ email: string, password: string }} Person */
/** @typedef {{ access_token: string, refresh_token?: string, id_token?: string }} TokenResponse */

/** What the journey's RP asks for: a refresh token too (offline_access, which needs prompt=consent). */
export const JOURNEY_SCOPE = 'openid profile email offline_access';

/** @param {ClientCredentials} client */
export function basicAuth({ clientId, clientSecret }) {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

const form = (/** @type {Record<string, string>} */ fields) => new URLSearchParams(fields).toString();

/**
 * The answer's JSON when it has the expected status; throws otherwise (the bench counts an error).
 * @param {Reply} reply
 * @param {string} what
 */
function json(reply, what) {
  if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
  return JSON.parse(reply.body);
}

/** A browser's cookie jar for one host: path-aware, forgets expired cookies. */
class CookieJar {
  /** @type {Map<string, { value: string, path: string }>} */
  cookies = new Map();

  /** @param {string | string[] | undefined} setCookie */
  store(setCookie) {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^max-age=(0|-)/i.test(a)) || attributes.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  /** @param {string} path */
  header(path) {
    const sent = [];
    for (const [name, cookie] of this.cookies) if (path.startsWith(cookie.path)) sent.push(`${name}=${cookie.value}`);
    return sent.join('; ');
  }
}

/**
 * The page's form whose action ends with `step`, with its hidden fields.
 * @param {string} html
 * @param {string} step
 */
function formOf(html, step) {
  for (const match of html.matchAll(/<form[^>]*\baction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const action = (match[1] ?? '').replaceAll('&amp;', '&');
    if (!action.endsWith(step)) continue;
    /** @type {Record<string, string>} */
    const hidden = {};
    for (const input of (match[2] ?? '').matchAll(/<input[^>]*\btype="hidden"[^>]*>/g)) {
      const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
      const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1];
      if (name !== undefined) hidden[name] = value ?? '';
    }
    return { action, hidden };
  }
  return undefined;
}

/**
 * One person signs in to `app` through the browser pages, and the app redeems the code.
 * @param {Target} target
 * @param {App} app
 * @param {Person} person
 * @returns {Promise<TokenResponse>}
 */
export async function signIn(target, app, person) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const params = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: 'code',
    scope: JOURNEY_SCOPE,
    prompt: 'consent',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(16).toString('base64url'),
  });

  /** @type {{ method: string, path: string, body?: string }} */
  let next = { method: 'GET', path: `/auth?${params}` };
  let callback;
  for (let step = 0; step < 12 && !callback; step++) {
    const headers = { cookie: jar.header(next.path), ...(next.method === 'POST' ? { 'sec-fetch-site': 'same-origin' } : {}) };
    const reply = await target.request({ ...next, headers });
    jar.store(reply.headers['set-cookie']);
    const location = reply.headers.location;
    if (reply.status >= 300 && reply.status < 400 && location) {
      if (location.startsWith(app.redirectUri)) callback = new URL(location);
      else {
        const url = new URL(location, target.issuer);
        next = { method: 'GET', path: url.pathname + url.search };
      }
      continue;
    }
    if (reply.status !== 200) throw new Error(`sign-in: HTTP ${reply.status} at ${next.method} ${next.path.split('?')[0]}: ${reply.body.slice(0, 200)}`);
    const login = formOf(reply.body, '/login');
    const consent = login ? undefined : formOf(reply.body, '/confirm');
    const page = login ?? consent;
    if (!page) throw new Error(`sign-in: a page with neither the login nor the consent form at ${next.path.split('?')[0]}`);
    const fields = login ? { ...page.hidden, email: person.email, password: person.password } : page.hidden;
    next = { method: 'POST', path: page.action, body: form(fields) };
  }
  if (!callback) throw new Error('sign-in: never reached the callback');
  if (callback.searchParams.get('state') !== state) throw new Error(`sign-in: the callback has the wrong state: ${callback.search}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`sign-in: the callback has no code: ${callback.search}`);

  const tokens = json(
    await target.request({
      method: 'POST',
      path: '/token',
      headers: { authorization: basicAuth(app) },
      body: form({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: verifier }),
    }),
    'code exchange',
  );
  if (typeof tokens.access_token !== 'string' || typeof tokens.refresh_token !== 'string' || typeof tokens.id_token !== 'string') {
    throw new Error(`code exchange: missing tokens in ${Object.keys(tokens).join(', ')}`);
  }
  return tokens;
}

/**
 * A refresh token chain: each refresh presents the refresh token the previous one returned (never
 * used before: rotation makes every refresh token single-use).
 */
export class RefreshChain {
  /** @param {string} refreshToken */
  constructor(refreshToken) {
    this.refreshToken = refreshToken;
  }

  /**
   * @param {Target} target
   * @param {ClientCredentials} app
   */
  async refresh(target, app) {
    const tokens = json(
      await target.request({
        method: 'POST',
        path: '/token',
        headers: { authorization: basicAuth(app) },
        body: form({ grant_type: 'refresh_token', refresh_token: this.refreshToken }),
      }),
      'refresh',
    );
    if (typeof tokens.refresh_token !== 'string') throw new Error('refresh: no new refresh token');
    this.refreshToken = tokens.refresh_token;
  }
}

/**
 * @param {Target} target
 * @param {ClientCredentials} client
 */
export async function clientCredentials(target, client) {
  const tokens = json(
    await target.request({ method: 'POST', path: '/token', headers: { authorization: basicAuth(client) }, body: 'grant_type=client_credentials' }),
    'client_credentials',
  );
  if (typeof tokens.access_token !== 'string') throw new Error('client_credentials: no access token');
}

/**
 * @param {Target} target
 * @param {string} accessToken
 */
export async function userinfo(target, accessToken) {
  const claims = json(await target.request({ path: '/me', headers: { authorization: `Bearer ${accessToken}` } }), 'userinfo');
  if (typeof claims.sub !== 'string') throw new Error('userinfo: no sub');
}

/**
 * The journey's app introspects one of its own access tokens.
 * @param {Target} target
 * @param {ClientCredentials} app
 * @param {string} accessToken
 */
export async function introspect(target, app, accessToken) {
  const answer = json(
    await target.request({ method: 'POST', path: '/token/introspection', headers: { authorization: basicAuth(app) }, body: form({ token: accessToken }) }),
    'introspection',
  );
  if (answer.active !== true) throw new Error('introspection: the token is not active');
}

/**
 * A GET whose answer must be 200 (discovery, /jwks).
 * @param {Target} target
 * @param {string} path
 */
export async function get(target, path) {
  const reply = await target.request({ path });
  if (reply.status !== 200) throw new Error(`GET ${path}: HTTP ${reply.status}`);
}
