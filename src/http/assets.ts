// Serves the pages' stylesheet. Read once at start-up; found by walking up from this module so
// it works from src/http (tests, tsx) and from the compiled dist/src/http alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';

const STYLESHEET = join('views', 'assets', 'sesame.css');

export function findStylesheet(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, STYLESHEET);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${STYLESHEET} above ${start}`);
  }
}

export function assetsRouter(): Router {
  const css = readFileSync(findStylesheet());
  const router = new Router();
  router.get('/assets/sesame.css', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = css;
  });
  return router;
}
