// Our interaction pages' writes of the provider's rows (the interaction's result, the grant) held
// until the page has its answer and stored together before it goes out (db/held-writes.ts).
import type { Middleware } from 'koa';
import type { HoldWrites } from '../../oidc/held-writes.js';

export function holdingWrites(hold: HoldWrites): Middleware {
  return async (ctx, next) => {
    let answered = false;
    try {
      await hold(async () => {
        await next();
        answered = true;
      });
    } catch (error) {
      // The answer was ready but what it reports was not stored: it must not send the browser on.
      if (answered) {
        ctx.remove('Location');
        ctx.remove('Set-Cookie');
      }
      throw error;
    }
  };
}
