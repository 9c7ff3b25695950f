// The demo app's pages: server-rendered HTML, no JavaScript, one small stylesheet. Every value
// printed goes through esc(); the only unescaped strings are the literals in this file.
import type { SignedInUser } from './sessions.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text and quoted attribute values (always quote attributes). */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => ENTITIES[ch] ?? ch);
}

export interface ApiResult {
  status: number;
  body: string;
}

function layout(app: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(app)}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><span class="app">${esc(app)}</span><span class="tag">demo app for Sesame</span></header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function signedOutPage(app: string): string {
  return layout(
    app,
    'Signed out',
    `<h1>${esc(app)}</h1>
<p class="lead">You are not signed in.</p>
<p><a class="button primary" href="/login">Sign in</a></p>
<p class="hint">Signing in takes you to Sesame and back. If you are already signed in to another app that uses Sesame, you will not need your password.</p>`,
  );
}

export function signedInPage(app: string, user: SignedInUser, csrf: string, api?: ApiResult): string {
  const who = user.name || user.email || user.sub;
  return layout(
    app,
    'Signed in',
    `<h1>${esc(app)}</h1>
<p class="lead">Signed in as <strong>${esc(who)}</strong></p>
<dl>
${user.name ? `<dt>Name</dt><dd>${esc(user.name)}</dd>` : ''}
${user.email ? `<dt>Email</dt><dd>${esc(user.email)}${user.emailVerified ? ' (verified)' : ''}</dd>` : ''}
<dt>Subject (<code>sub</code>)</dt><dd><code>${esc(user.sub)}</code></dd>
${user.scope ? `<dt>Access token scope</dt><dd><code>${esc(user.scope)}</code></dd>` : ''}
</dl>
<div class="actions">
<a class="button" href="/call-api">Call the API</a>
<form method="post" action="/logout">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<button type="submit" class="primary">Sign out</button>
</form>
</div>
${api ? apiResult(api) : ''}`,
  );
}

function apiResult({ status, body }: ApiResult): string {
  let pretty = body;
  try {
    pretty = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: show it as it came
  }
  const ok = status >= 200 && status < 300;
  return `<section class="api ${ok ? 'ok' : 'failed'}">
<h2>API answer: ${esc(status)} ${ok ? 'OK' : 'refused'}</h2>
<p class="hint"><code>GET /api/me</code> with the access token; the API verified it against Sesame's <code>jwks_uri</code>.</p>
<pre>${esc(pretty)}</pre>
</section>`;
}

export function messagePage(app: string, title: string, message: string, detail?: string): string {
  return layout(
    app,
    title,
    `<h1>${esc(app)}</h1>
<h2>${esc(title)}</h2>
<p>${esc(message)}</p>
${detail ? `<p class="hint"><code>${esc(detail)}</code></p>` : ''}
<p><a class="button" href="/">Back to ${esc(app)}</a></p>`,
  );
}

/** Accents with at least 4.5:1 contrast against white text. */
const ACCENTS = ['#1f5fa8', '#2e7d32', '#8e2a5d', '#9a3412', '#4338ca', '#0f766e'];

/** One stylesheet per app, with an accent of its own so two apps side by side look apart. */
export function stylesheet(app: string): string {
  let sum = 0;
  for (const ch of app) sum += ch.charCodeAt(0);
  const accent = ACCENTS[sum % ACCENTS.length]!;
  return `:root { --accent: ${accent}; --soft: #f3f4f6; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1f23; background: #fafafa; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; padding: .75rem 1.25rem; background: var(--accent); color: #fff; }
header .app { font-weight: 700; font-size: 1.1rem; }
header .tag { opacity: .85; font-size: .9rem; }
main { max-width: 38rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { margin: 0 0 .5rem; font-size: 1.6rem; color: var(--accent); }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.lead { font-size: 1.1rem; }
.hint { color: #555; font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0; }
dt { color: #555; }
dd { margin: 0; overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
pre { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .75rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: 1.25rem 0; }
.actions form { margin: 0; }
.button, button { display: inline-block; padding: .6rem 1.1rem; border-radius: 6px; border: 1px solid var(--accent); background: #fff; color: var(--accent); font: inherit; text-decoration: none; cursor: pointer; min-height: 2.75rem; }
.button.primary, button.primary { background: var(--accent); color: #fff; }
.button:focus-visible, button:focus-visible { outline: 3px solid #222; outline-offset: 2px; }
.api { margin-top: 1.5rem; padding: 0 1rem 1rem; border-radius: 8px; background: var(--soft); border-left: 4px solid var(--accent); }
.api.failed { border-left-color: #b3261e; }
@media (max-width: 30rem) { dl { grid-template-columns: 1fr; } dt { margin-top: .5rem; } }
`;
}
