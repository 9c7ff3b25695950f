// What every console page shares: the signed-in admin on the request and who they are to the audit
// log, the frame every page is drawn in (CSRF token, admin, flash), sending a page under the
// console's CSP, redirect-after-POST, and the table each resource file adds its routes to.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { User } from '../../domain/accounts/account-service.js';
import type { By } from '../../domain/audit/actions.js';
import type { ConsoleFrame } from '../../../views/console/layout.js';
import type { SafeHtml } from '../../../views/html.js';
import { csrfToken } from '../middleware/csrf.js';
import { PAGE_CSP, setPageHeaders } from '../middleware/security-headers.js';
import { sendPage } from '../send-page.js';
import { takeFlash } from './session.js';

/** The sign-in pages' policy plus the console's one script, and forms posting only to Sesame. */
export const CONSOLE_CSP = `${PAGE_CSP}; script-src 'self'; form-action 'self'`;

export interface ConsoleState {
  admin: User;
  /** The console session this request belongs to: its forms' CSRF tokens are bound to it. */
  consoleSession: string;
}

/** The signed-in admin (set by the sign-in guard before any page runs). */
export const admin = (ctx: Context): User => (ctx.state as ConsoleState).admin;

/** The signed-in admin and the request's address: what every change passes to the services. */
export const by = (ctx: Context): By => ({ actor: `user:${admin(ctx).id}`, sourceAddress: ctx.ip });

export const csrfBinding = (ctx: Context): string | undefined => {
  const session = (ctx.state as Partial<ConsoleState>).consoleSession;
  return session ? `console:${session}` : undefined;
};

export const frame = (ctx: Context): ConsoleFrame => ({ csrf: csrfToken(ctx, csrfBinding(ctx)!), admin: admin(ctx).email, flash: takeFlash(ctx) });

export function send(ctx: Context, page: SafeHtml, status?: number): void {
  sendPage(ctx, page, status);
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
}

/** Redirect-after-POST: 303 so the browser GETs the next page. */
export function seeOther(ctx: Context, location: string): void {
  ctx.redirect(location);
  ctx.status = 303;
}

/** The page headers before the route runs, so a redirect or a failure carries them too. */
export const consoleHeaders: Middleware = async (ctx, next) => {
  setPageHeaders(ctx);
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  await next();
};

/** What a resource file registers its pages on. */
export interface ConsoleRoutes {
  router: Router;
  /** Before a page: the headers and a signed-in admin. */
  get: Middleware[];
  /** Before a form post: the headers, the form body, a signed-in admin, then the CSRF check. */
  post: Middleware[];
}
