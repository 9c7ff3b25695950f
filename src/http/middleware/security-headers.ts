// Headers for our server-rendered HTML pages (sign-in, consent, logout, errors).
//
// The CSP has no form-action on purpose: Chrome applies form-action to every redirect that
// follows a form POST, so it would block the 303 chain that carries the browser back to the RP's
// redirect_uri (any origin). Forms on our pages only ever post to our own paths.
import type { Middleware } from 'koa';

export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  // Pages carry CSRF tokens and personal data: never store them (back/forward, proxies).
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

/** Anything with Koa's `set(field, value)`: our contexts and oidc-provider's. */
interface HeaderTarget {
  set(field: string, value: string): void;
}

/** Sets the page headers on a context (for hooks that render outside our middleware chain). */
export function setPageHeaders(ctx: HeaderTarget): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
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
