// A server-side relying party on openid-client that sends its authorization requests the way the
// OpenID conformance suite may: an HTML form on the RP's page that posts itself to the
// authorization endpoint (OIDC Core 3.1.2.1), or a plain redirect (GET). Served from 127.0.0.1,
// another site than the issuer on localhost, or from localhost (the issuer's site, another port).
//
// GET /start?method=post|get[&prompt=...][&response_mode=form_post][&max_age=N] starts a sign-in (PKCE S256,
// state, nonce); the callback, by GET or by form_post, exchanges the code and prints
// `{ "claims": {...} }` (the ID token's) or `{ "error": "...", "error_description": "..." }`.
// GET /frame?... is a page that runs /start?... in an iframe and prints what reached the callback
// in it, as a silent renew does. GET /post-form?to=URL&NAME=VALUE... is a page that posts the
// fields to URL at once: another site's form, for the tests of cross-site forms.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { listen, type Listening } from './real-rp.js';

export interface FormPostRp extends Listening {
  redirectUri: string;
  /** Sets the client (registered once the RP's URL is known). `fetch` trusts a test certificate. */
  configure(options: { issuer: string; clientId: string; clientSecret: string; fetch?: oidc.CustomFetch }): Promise<void>;
}

interface Pending {
  verifier: string;
  nonce: string;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** An auto-submitting form: what an RP page that sends its authorization request by POST serves. */
export function autoPostForm(action: string, params: URLSearchParams): string {
  const inputs = [...params].map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in</title></head>
<body><form method="post" action="${escape(action)}">
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.forms[0].submit();</script>
</body></html>`;
}

export async function startFormPostRp(host: 'localhost' | '127.0.0.1' = '127.0.0.1'): Promise<FormPostRp> {
  let config: oidc.Configuration | undefined;
  const pending = new Map<string, Pending>();
  let redirectUri = '';

  async function start(url: URL, res: ServerResponse): Promise<void> {
    if (!config) throw new Error('the RP is not configured yet');
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    pending.set(state, { verifier, nonce });
    const extra = Object.fromEntries(
      ['prompt', 'response_mode', 'max_age'].flatMap((name) => (url.searchParams.has(name) ? [[name, url.searchParams.get(name)!]] : [])),
    );
    const request = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    if (url.searchParams.get('method') === 'get') {
      send(res, 302, 'text/plain', '', { location: request.href });
      return;
    }
    const action = `${request.origin}${request.pathname}`;
    send(res, 200, 'text/html; charset=utf-8', autoPostForm(action, request.searchParams));
  }

  async function callback(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    if (!config) throw new Error('the RP is not configured yet');
    let current: URL | Request = url;
    let params = url.searchParams;
    if (req.method === 'POST') {
      const body = await readBody(req);
      params = new URLSearchParams(body);
      current = new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    }
    const state = params.get('state') ?? '';
    const started = pending.get(state);
    pending.delete(state);
    if (params.has('error') || !started) {
      const result = { error: params.get('error') ?? 'unknown_state', error_description: params.get('error_description') ?? undefined };
      send(res, 200, 'application/json', JSON.stringify(result));
      return;
    }
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: started.verifier,
      expectedState: state,
      expectedNonce: started.nonce,
    });
    send(res, 200, 'application/json', JSON.stringify({ claims: tokens.claims() }));
  }

  function frame(url: URL, res: ServerResponse): void {
    const inner = `/start?${url.searchParams}`;
    send(
      res,
      200,
      'text/html; charset=utf-8',
      `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Silent sign-in</title></head>
<body><pre id="result"></pre>
<iframe id="silent" title="silent" src="${escape(inner)}"></iframe>
<script>
const frame = document.getElementById('silent');
frame.addEventListener('load', () => {
  try {
    const doc = frame.contentDocument;
    if (doc && doc.location.pathname === '/callback') document.getElementById('result').textContent = doc.body.innerText;
  } catch (e) { /* still on another origin */ }
});
</script>
</body></html>`,
    );
  }

  const rp = await listen((req, res) => {
    const url = new URL(req.url ?? '/', rp.url);
    const route = url.pathname === '/start' ? start(url, res) : url.pathname === '/callback' ? callback(req, url, res) : undefined;
    if (url.pathname === '/frame') {
      frame(url, res);
      return;
    }
    if (url.pathname === '/post-form') {
      const fields = new URLSearchParams(url.searchParams);
      fields.delete('to');
      send(res, 200, 'text/html; charset=utf-8', autoPostForm(url.searchParams.get('to') ?? '/', fields));
      return;
    }
    if (!route) {
      send(res, 404, 'text/plain', 'not found');
      return;
    }
    route.catch((error: unknown) => send(res, 500, 'application/json', JSON.stringify({ error: 'rp_failed', error_description: String(error) })));
  }, host);
  redirectUri = `${rp.url}/callback`;
  return {
    ...rp,
    redirectUri,
    async configure({ issuer, clientId, clientSecret, fetch }) {
      const http = new URL(issuer).protocol === 'http:';
      config = await oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
        // The tests' http issuer is on localhost; a real one is https.
        ...(http ? { execute: [oidc.allowInsecureRequests] } : {}),
        ...(fetch ? { [oidc.customFetch]: fetch } : {}),
      });
    },
  };
}
