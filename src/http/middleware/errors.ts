// Last line of defence for our own routes: an unexpected error becomes a plain 500 with no
// details (they go to the log, once, with the stack and the route); an error with an HTTP status
// (4xx) keeps its status and message. Browsers get a page, everything else JSON.
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { errorPage } from '../../../views/error.js';
import type { Messages } from '../../../views/i18n/catalogue.js';
import { messagesOf } from '../page-language.js';
import type { LogFields, Logger } from '../../logger.js';
import { sendPage } from '../send-page.js';

/** Where an error happened, for the log line: method, path and the route pattern that matched. */
export function requestFields(ctx: Pick<Context, 'method' | 'path'>): LogFields {
  // @koa/router records the pattern (`/admin/users/:id`) on the context it dispatched.
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return { method: ctx.method, path: ctx.path, ...(typeof route === 'string' ? { route } : {}) };
}

/** A client error Koa or our code raised on purpose (4xx with a message meant for the client). */
function clientError(error: unknown): number | undefined {
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose !== false ? status : undefined;
}

function respond(ctx: Context, status: number, title: (t: Messages) => string, message: string): void {
  if (ctx.accepts('json', 'html') === 'html') {
    const t = messagesOf(ctx);
    sendPage(ctx, errorPage(t, { title: title(t), message }), status);
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
      const status = clientError(error);
      if (status !== undefined) {
        respond(ctx, status, (t) => t.errors.requestNotAccepted, (error as Error).message);
        return;
      }
      log.error('request failed', { err: error, ...requestFields(ctx) });
      respond(ctx, 500, (t) => t.errors.somethingWrong, messagesOf(ctx).errors.serverError);
    }
  };
}

/**
 * What reaches Koa itself (an error outside errorHandler, a response stream that fails after its
 * headers went out): logged like the rest instead of Koa's stack print on stderr.
 */
export function logAppErrors(app: Koa, log: Logger): void {
  app.on('error', (error: unknown, ctx?: Context) => {
    if (clientError(error) !== undefined) return;
    log.error('request failed', { err: error, ...(ctx ? requestFields(ctx) : {}) });
  });
}
