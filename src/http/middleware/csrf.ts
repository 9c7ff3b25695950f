// CSRF protection for our own forms (sign-in, consent, console), in two layers.
//
// 1. Where the POST comes from. Browsers say it: `Sec-Fetch-Site` (every current browser) must be
//    `same-origin`; without it, an `Origin` header must be the issuer's. A form on another site,
//    including a sibling subdomain (same-site but not same-origin), is refused before its token
//    is even looked at.
// 2. A token bound to the session the form belongs to. The browser holds a random secret in a
//    signed cookie (`__Host-sesame.csrf` on https, which no other host can set); a form's token is
//    an HMAC over that secret and the form's binding: the sign-in's interaction uid, or the
//    console session. A validly signed cookie is not enough: a secret and token that an attacker
//    obtained anonymously and planted into a victim's browser (cookies can be planted from a
//    sibling subdomain on http) are bound to the attacker's interaction or to no console session,
//    so they do not match the victim's.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { errorPage } from '../../../views/error.js';
import { EN } from '../../../views/i18n/catalogue.js';
import { messagesOf } from '../page-language.js';
import { sendPage } from '../send-page.js';
import { publicOriginOf } from './request-origin.js';

export const CSRF_COOKIE = 'sesame.csrf';
/** On https: a cookie only this exact host can set (Secure, Path=/, no Domain). */
export const CSRF_COOKIE_HTTPS = '__Host-sesame.csrf';
export const CSRF_FIELD = 'csrf';

/** 32 random bytes, base64url: 43 characters (the cookie's secret and the form's token alike). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What a form's token is bound to: a session the request itself proves. */
export type CsrfBinding = (ctx: Context) => string | undefined;

const cookieName = (ctx: Context) => (publicOriginOf(ctx).https ? CSRF_COOKIE_HTTPS : CSRF_COOKIE);

function cookieSecret(ctx: Context): string | undefined {
  const value = ctx.cookies.get(cookieName(ctx), { signed: true });
  return value && TOKEN_PATTERN.test(value) ? value : undefined;
}

function keysOf(ctx: Context): string[] {
  const keys = ctx.app.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('CSRF tokens need app.keys');
  return keys.map(String);
}

const tokenFor = (key: string, secret: string, binding: string) => createHmac('sha256', key).update(`${secret}\n${binding}`).digest('base64url');

/**
 * The token for this request's forms, bound to `binding` (the interaction uid, the console
 * session). Reuses the browser's secret or sets a new one. Needs `app.keys`.
 */
export function csrfToken(ctx: Context, binding: string): string {
  let secret = cookieSecret(ctx);
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    ctx.cookies.set(cookieName(ctx), secret, { signed: true, httpOnly: true, sameSite: 'lax', path: '/', overwrite: true });
  }
  return tokenFor(keysOf(ctx)[0]!, secret, binding);
}

function bodyToken(ctx: Context): string | undefined {
  const body: unknown = ctx.request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[CSRF_FIELD];
  return typeof value === 'string' && TOKEN_PATTERN.test(value) ? value : undefined;
}

/** Whether the form's token was made for this browser's secret and this binding (any current cookie key). */
export function csrfMatches(ctx: Context, binding: string | undefined): boolean {
  const secret = cookieSecret(ctx);
  const given = bodyToken(ctx);
  if (!secret || !given || binding === undefined) return false;
  const presented = Buffer.from(given);
  // Every key verifies, like cookies: a form rendered just before COOKIE_KEYS rotated still works.
  return keysOf(ctx).some((key) => timingSafeEqual(Buffer.from(tokenFor(key, secret, binding)), presented));
}

/**
 * Whether the browser says this request comes from the issuer's own pages. Requests that carry
 * neither header (scripts, very old browsers) are left to the token.
 */
export function fromOwnOrigin(ctx: Context): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = ctx.get('Origin');
  // Referrer-Policy: no-referrer makes some browsers send "Origin: null" on our own forms.
  if (!origin || origin === 'null') return true;
  return origin === publicOriginOf(ctx).origin;
}

export const CSRF_FAILED_MESSAGE = EN.errors.csrfFailed;
export const CROSS_SITE_MESSAGE = EN.errors.crossSite;

/**
 * Refuses a POST from another origin, or whose `csrf` field is not the token for this browser
 * and `binding`: 403 and an error page, nothing processed. Run after the body parser.
 */
export function verifyCsrf(binding: CsrfBinding): Middleware {
  return async (ctx, next) => {
    if (!fromOwnOrigin(ctx)) {
      const t = messagesOf(ctx);
      sendPage(ctx, errorPage(t, { title: t.errors.formNotAccepted, message: t.errors.crossSite }), 403);
      return;
    }
    if (!csrfMatches(ctx, binding(ctx))) {
      const t = messagesOf(ctx);
      sendPage(ctx, errorPage(t, { title: t.errors.formExpired, message: t.errors.csrfFailed }), 403);
      return;
    }
    await next();
  };
}
