// An authorization request (or an RP-initiated logout) by POST on an http issuer. oidc-provider
// takes POST at /auth and /session/end only when its session cookie is SameSite=None, so that the
// cookie goes with a form posted from the RP's site; browsers keep a SameSite=None cookie only when
// it is Secure, so only an https issuer has POST (oidc/configuration.ts, crossSiteSession). On http
// (development) the provider has no such route and would answer 404: Sesame says why instead.
import type { Context } from 'koa';
import { errorPage } from '../../views/error.js';
import { sendPage } from './send-page.js';

/** oidc-provider's routes that take POST only when enableHttpPostMethods is on. */
const POST_ROUTES = new Set(['/auth', '/session/end']);

export const POST_NEEDS_HTTPS_TITLE = 'Send this request by GET';
export const POST_NEEDS_HTTPS_MESSAGE =
  'This Sesame runs on http, where it takes sign-in and sign-out requests by GET only: a request posted from another site ' +
  'reaches Sesame with the session cookie only when that cookie is SameSite=None, and browsers accept SameSite=None only ' +
  'on https. Send the request by GET, or run Sesame with an https ISSUER.';

/** Answers a POST to /auth or /session/end on an http issuer: 405, `Allow: GET`, a page that says why. True when it did. */
export function refusePostWithoutHttps(ctx: Context, https: boolean): boolean {
  if (https || ctx.method !== 'POST' || !POST_ROUTES.has(ctx.path)) return false;
  ctx.set('Allow', 'GET');
  sendPage(ctx, errorPage({ title: POST_NEEDS_HTTPS_TITLE, message: POST_NEEDS_HTTPS_MESSAGE }), 405);
  return true;
}
