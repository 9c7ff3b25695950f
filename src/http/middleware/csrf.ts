// Signed double-submit CSRF protection for our own forms.
//
// The page embeds a random token in a hidden `csrf` field and the same token sits in the
// `sesame.csrf` cookie, signed with the app's cookie keys (`app.keys`). A POST must carry both,
// equal. Another site cannot read the cookie to copy it into its form, and cannot plant a
// cookie of its own (say from a sibling subdomain) because it cannot sign it. SameSite=Lax adds
// a second barrier in browsers that honour it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { errorPage } from '../../../views/error.js';
import { sendPage } from '../interactions/render.js';

export const CSRF_COOKIE = 'sesame.csrf';
export const CSRF_FIELD = 'csrf';

/** 32 random bytes, base64url: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function cookieToken(ctx: Context): string | undefined {
  const value = ctx.cookies.get(CSRF_COOKIE, { signed: true });
  return value && TOKEN_PATTERN.test(value) ? value : undefined;
}

/**
 * The token to put in the page's forms. Reuses the one in the (validly signed) cookie, or makes
 * a new one and sets the cookie. Needs `app.keys`.
 */
export function csrfToken(ctx: Context): string {
  const state = ctx.state as { csrfToken?: string };
  if (state.csrfToken) return state.csrfToken;
  let token = cookieToken(ctx);
  if (!token) {
    token = randomBytes(32).toString('base64url');
    ctx.cookies.set(CSRF_COOKIE, token, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: ctx.secure,
      overwrite: true,
    });
  }
  state.csrfToken = token;
  return token;
}

function bodyToken(ctx: Context): string | undefined {
  const body: unknown = ctx.request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[CSRF_FIELD];
  return typeof value === 'string' ? value : undefined;
}

/** Constant-time comparison of the form's token with the signed cookie's. */
export function csrfMatches(ctx: Context): boolean {
  const expected = cookieToken(ctx);
  const given = bodyToken(ctx);
  if (!expected || !given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const CSRF_FAILED_MESSAGE = 'This form has expired. Go back and try again.';

/**
 * Rejects a POST whose `csrf` field does not match the signed cookie: 403 and an error page,
 * nothing processed. Run after the body parser (it reads `ctx.request.body`).
 */
export function verifyCsrf(): Middleware {
  return async (ctx, next) => {
    if (!csrfMatches(ctx)) {
      sendPage(ctx, errorPage({ title: 'Form expired', message: CSRF_FAILED_MESSAGE }), 403);
      return;
    }
    await next();
  };
}
