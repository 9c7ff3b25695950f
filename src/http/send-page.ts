// Sends a rendered page as the response, with the page security headers. The one way a page
// leaves Sesame: our routers, the error handlers and oidc-provider's page hooks all use it.
import type { SafeHtml } from '../../views/html.js';
import { setPageHeaders } from './middleware/security-headers.js';

/** The part of a Koa context (ours or oidc-provider's) that sending a page needs. */
export interface PageContext {
  status: number;
  type: string;
  body: unknown;
  set(field: string, value: string): void;
}

export function sendPage(ctx: PageContext, page: SafeHtml, status?: number): void {
  setPageHeaders(ctx);
  if (status !== undefined) ctx.status = status;
  ctx.type = 'html';
  ctx.body = page.toString();
}
