// Headers for every HTML page: our server-rendered pages (sign-in, consent, logout, errors) and
// the ones oidc-provider renders itself (form_post responses, its error pages).
//
// The CSP has no form-action on purpose: Chrome applies form-action to every redirect that
// follows a form POST, so it would block the 303 chain that carries the browser back to the RP's
// redirect_uri (any origin). Forms on our pages only ever post to our own paths; form_post pages
// post to the RP's registered redirect_uri.
//
// No page of ours has a script. oidc-provider's form_post page has one inline script (it submits
// the form on load); the CSP allows exactly that script by its sha256 hash, computed from the
// markup actually sent, so nothing else can run even if the page were to carry injected markup.
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';

// img-src https: lets the consent page show an app's registered logo (https only, checked at
// registration); an image cannot run script, and nothing else may load from elsewhere.
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data: https:; base-uri 'none'; frame-ancestors 'none'";

/**
 * A page that loads Sesame's own scripts (the passkey ceremonies on the sign-in and account
 * pages): scripts from Sesame only (never inline), and fetches back to Sesame only.
 */
export const SCRIPT_PAGE_CSP = `${PAGE_CSP}; script-src 'self'; connect-src 'self'`;

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  // Pages carry CSRF tokens, codes and personal data: never store them (back/forward, proxies).
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

/** Anything with Koa's `set(field, value)`: our contexts and oidc-provider's. */
interface HeaderTarget {
  set(field: string, value: string): void;
}

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/** CSP sources ('sha256-...') for the inline scripts of a page, in order of appearance. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const [, attributes, body] of html.matchAll(INLINE_SCRIPT)) {
    if (/\bsrc\s*=/i.test(attributes!)) continue;
    hashes.push(`'sha256-${createHash('sha256').update(body!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * The page CSP, allowing the page's own inline scripts (by hash) and no other script. With
 * `frameAncestor` (an origin), that origin may frame the page instead of none.
 */
export function pageCsp(html = '', frameAncestor?: string): string {
  const hashes = [...new Set(inlineScriptHashes(html))];
  const csp = frameAncestor === undefined ? PAGE_CSP : PAGE_CSP.replace("frame-ancestors 'none'", `frame-ancestors ${frameAncestor}`);
  return hashes.length > 0 ? `${csp}; script-src ${hashes.join(' ')}` : csp;
}

/**
 * The CSP of the front-channel logout page: the page CSP, Sesame's own script (it continues once
 * the apps' pages loaded), and frames from exactly the apps' origins being told, nothing else.
 * Origins come from registered URIs (https, or http on loopback), serialised by the URL parser.
 */
export function frontchannelCsp(frameOrigins: readonly string[]): string {
  const origins = [...new Set(frameOrigins.map((origin) => new URL(origin).origin))];
  return `${PAGE_CSP}; script-src 'self'; frame-src ${origins.length > 0 ? origins.join(' ') : "'none'"}`;
}

/**
 * Sets the page headers on a context; `html` is the page, when it may hold inline scripts.
 * `frameAncestor`: the one origin that may frame the page (its CSP says so, and X-Frame-Options,
 * which can name no origin, is left out).
 */
export function setPageHeaders(ctx: HeaderTarget, html?: string, frameAncestor?: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) {
    if (name !== 'X-Frame-Options' || frameAncestor === undefined) ctx.set(name, value);
  }
  if (html !== undefined || frameAncestor !== undefined) ctx.set('Content-Security-Policy', pageCsp(html, frameAncestor));
}

/**
 * Sets the page headers before the route runs, so they are on the response whether the route
 * renders a page, redirects, or fails.
 */
export function pageHeaders(): Middleware {
  return async (ctx, next) => {
    setPageHeaders(ctx);
    await next();
  };
}

/**
 * For an app whose pages we do not render (oidc-provider, through provider.use): every HTML
 * response gets the page headers once it is built, with its inline scripts hashed into the CSP.
 * `frameAncestor` names the one origin that may frame a given page, if any.
 */
export function htmlPageHeaders(frameAncestor: (ctx: Parameters<Middleware>[0], html: string) => string | undefined = () => undefined): Middleware {
  return async (ctx, next) => {
    await next();
    // Not ctx.response.is('html'): its MIME lookup cost 1% of every provider response's CPU.
    if (ctx.response.type !== 'text/html') return;
    const body: unknown = ctx.body;
    const html = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
    setPageHeaders(ctx, html, frameAncestor(ctx, html));
  };
}
