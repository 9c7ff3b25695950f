// Last line of defence for our own routes: an unexpected error becomes a plain 500 page with no
// details (they go to the log); an error with an HTTP status (4xx) keeps its status and message.
import type { Middleware } from 'koa';
import type { Logger } from '../../logger.js';

export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const expose = (error as { expose?: boolean }).expose;
      if (typeof status === 'number' && status >= 400 && status < 500 && expose !== false) {
        ctx.status = status;
        ctx.body = { error: (error as Error).message };
        return;
      }
      log.error('request failed', { err: error, method: ctx.method, path: ctx.path });
      ctx.status = 500;
      ctx.body = { error: 'internal server error' };
    }
  };
}
