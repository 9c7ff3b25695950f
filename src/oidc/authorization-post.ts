// Authorization requests by POST on an http issuer (development). OIDC Core 3.1.2.1: the
// authorization endpoint takes GET and POST. On an https issuer oidc-provider serves POST itself
// (enableHttpPostMethods, configuration.ts); it allows that only with a SameSite=None session
// cookie, and browsers keep SameSite=None only when Secure, so an http issuer cannot have it. There
// a form-POSTed authorization request goes on as the equivalent GET (the same parameters with the
// same meaning, the body's and only the body's, as oidc-provider reads a POST), as a POSTed logout
// request does (logout-hint.ts).
//
// What such a POST lacks on http is the session cookie when it comes from another site: a
// SameSite=Lax cookie goes with another site's top-level GET, not with its POST, so the person
// signs in again (and that sign-in's session replaces the one the browser had). From the same site
// (an app on localhost:8080 and Sesame on localhost:3000) the cookie goes along.
import type { Middleware } from 'koa';
import { readBody } from './logout-hint.js';

/** Provider middleware (`provider.use`) for an http issuer: a form POST to `path` (the authorization endpoint) as a GET. */
export function authorizationPostAsGet(path: string): Middleware {
  return async (ctx, next) => {
    // Other bodies: the provider has no POST route here and answers 404 as before.
    if (ctx.path !== path || ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return next();
    const body = await readBody(ctx.req);
    if (body === undefined) ctx.throw(413, 'request body too large');
    ctx.method = 'GET';
    ctx.querystring = new URLSearchParams(body).toString();
    try {
      await next();
    } finally {
      // The request was a POST for everything outside the provider (metrics count it so).
      ctx.method = 'POST';
    }
  };
}
