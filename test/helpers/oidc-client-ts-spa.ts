// A single-page app on oidc-client-ts (its browser build, straight from node_modules), served from
// 127.0.0.1 while the issuer is on localhost: another site, as a SPA on its own domain would be.
// A public client with PKCE: everything happens in the browser, nothing on this server but files.
//
// index.html has buttons Sign in, Refresh (signinSilent: the refresh token when the user has one,
// otherwise prompt=none in a hidden iframe), Call userinfo and Sign out, and shows the user in
// <pre id="user"> as JSON; failures go to <pre id="error">.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { listen, STEP_TIMEOUT_MS, type Listening } from './real-rp.js';

const require = createRequire(import.meta.url);
// The package's exports name only its modules; the browser build sits next to its package.json.
const LIBRARY = readFileSync(join(dirname(require.resolve('oidc-client-ts/package.json')), 'dist/browser/oidc-client-ts.min.js'));

export interface SpaOptions {
  issuer: string;
  clientId: string;
  /** UserManager settings beyond the ones derived from the URLs (scope, prompt, loadUserInfo...). */
  settings: Record<string, unknown>;
}

export interface Spa extends Listening {
  redirectUri: string;
  postLogoutRedirectUri: string;
  silentRedirectUri: string;
  /** Sets the client (registered once the SPA's URL is known). */
  configure(options: SpaOptions): void;
}

const page = (title: string, script: string, body = '') => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<script src="/oidc-client-ts.min.js"></script>
<script src="/settings.js"></script>
</head><body>
${body}
<pre id="error"></pre>
<script>
const fail = (e) => { document.getElementById('error').textContent = 'error: ' + (e && (e.error || e.message) || e); };
${script}
</script>
</body></html>`;

const INDEX = page(
  'SPA',
  `
const show = async () => {
  const user = await mgr.getUser();
  document.getElementById('user').textContent = JSON.stringify(user && {
    profile: user.profile, access_token: user.access_token, expires_at: user.expires_at, has_refresh_token: !!user.refresh_token,
  });
};
const on = (name, action) => document.getElementById(name).addEventListener('click', () => action().then(show, fail));
on('signin', () => mgr.signinRedirect());
on('refresh', () => mgr.signinSilent());
on('signout', () => mgr.signoutRedirect());
on('userinfo', async () => {
  const user = await mgr.getUser();
  const response = await fetch(mgr.settings.authority + '/me', { headers: { authorization: 'Bearer ' + user.access_token } });
  document.getElementById('api').textContent = JSON.stringify({ status: response.status, body: await response.json() });
});
show().catch(fail);
`,
  `<h1>SPA</h1>
<button id="signin">Sign in</button> <button id="refresh">Refresh</button> <button id="userinfo">Call userinfo</button> <button id="signout">Sign out</button>
<pre id="user"></pre>
<pre id="api"></pre>`,
);
const CALLBACK = page('Signing in', `mgr.signinRedirectCallback().then(() => location.replace('/'), fail);`);
const SILENT = page('Silent renew', `mgr.signinSilentCallback().catch(fail);`);
const SIGNED_OUT = page('Signed out', '', '<p>You are signed out of the SPA.</p>');

/** The user the SPA shows once its text is not `previous` (JSON, or null when signed out). */
export async function userShown(page: Page, previous?: string): Promise<any> {
  await page.waitForFunction(
    (prev) => {
      const text = document.getElementById('user')?.textContent ?? '';
      return (text !== '' && text !== prev) || (document.getElementById('error')?.textContent ?? '') !== '';
    },
    previous ?? '',
    { timeout: STEP_TIMEOUT_MS },
  );
  const error = await page.locator('#error').textContent();
  if (error) throw new Error(`the SPA failed: ${error}`);
  return JSON.parse((await page.locator('#user').textContent())!);
}

/** Starts the SPA's file server on 127.0.0.1; `configure` it before the browser loads a page. */
export async function startSpa(): Promise<Spa> {
  let settings: string | undefined;
  const spa = await listen((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/oidc-client-ts.min.js') return send('text/javascript', LIBRARY);
    if (path === '/settings.js' && settings) return send('text/javascript', settings);
    const html = { '/': INDEX, '/callback.html': CALLBACK, '/silent.html': SILENT, '/signed-out.html': SIGNED_OUT }[path];
    if (html) return send('text/html; charset=utf-8', html);
    res.writeHead(404).end();
  }, '127.0.0.1');
  const urls = {
    redirectUri: `${spa.url}/callback.html`,
    postLogoutRedirectUri: `${spa.url}/signed-out.html`,
    silentRedirectUri: `${spa.url}/silent.html`,
  };
  return {
    ...spa,
    ...urls,
    configure({ issuer, clientId, settings: extra }) {
      const all = {
        authority: issuer,
        client_id: clientId,
        redirect_uri: urls.redirectUri,
        post_logout_redirect_uri: urls.postLogoutRedirectUri,
        silent_redirect_uri: urls.silentRedirectUri,
        ...extra,
      };
      settings = `const mgr = new oidc.UserManager({ ...${JSON.stringify(all)}, userStore: new oidc.WebStorageStateStore({ store: window.localStorage }) });\n`;
    },
  };
}
