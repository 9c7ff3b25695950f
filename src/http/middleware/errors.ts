// Last line of defence for our own routes: an unexpected error becomes a plain 500 with no
// details (they go to the log); an error with an HTTP status (4xx) keeps its status and message.
// Browsers get a page, everything else JSON.
import type { Context, Middleware } from 'koa';
import { errorPage } from '../../../views/error.js';
import type { Logger } from '../../logger.js';
import { sendPage } from '../interactions/render.js';

function respond(ctx: Context, status: number, title: string, message: string): void {
  if (ctx.accepts('json', 'html') === 'html') {
    sendPage(ctx, errorPage({ title, message }), status);
    return;
  }
  ctx.status = status;
  ctx.body = { error: message };
}

export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const expose = (error as { expose?: boolean }).expose;
      if (typeof status === 'number' && status >= 400 && status < 500 && expose !== false) {
        respond(ctx, status, 'Request not accepted', (error as Error).message);
        return;
      }
      log.error('request failed', { err: error, method: ctx.method, path: ctx.path });
      respond(ctx, 500, 'Something went wrong', 'Sesame could not finish this request. Try again in a moment.');
    }
  };
}
