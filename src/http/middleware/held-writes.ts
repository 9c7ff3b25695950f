// Our interaction pages' writes of the provider's rows held until the page has its answer and
// stored together before it goes out (db/held-writes.ts).
import type { Middleware } from 'koa';
import { WritesNotStored, type HoldWrites } from '../../oidc/held-writes.js';

export function holdingWrites(hold: HoldWrites): Middleware {
  return async (ctx, next) => {
    try {
      await hold(next);
    } catch (error) {
      // The answer was ready but what it reports was not stored: it must not send the browser on.
      if (error instanceof WritesNotStored) {
        ctx.remove('Location');
        ctx.remove('Set-Cookie');
      }
      throw error;
    }
  };
}
