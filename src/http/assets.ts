// Serves the pages' stylesheet, the console's stylesheet and script, and the front-channel logout page's script. Read once at
// start-up; the stylesheet is found by walking up from this module so
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
  const stylesheet = findStylesheet();
  const assets = dirname(stylesheet);
  const files: [string, Buffer, string][] = [
    ['/assets/sesame.css', readFileSync(stylesheet), 'text/css; charset=utf-8'],
    ['/assets/console.css', readFileSync(join(assets, 'console.css')), 'text/css; charset=utf-8'],
    ['/assets/console.js', readFileSync(join(assets, 'console.js')), 'text/javascript; charset=utf-8'],
    ['/assets/frontchannel.js', readFileSync(join(assets, 'frontchannel.js')), 'text/javascript; charset=utf-8'],
  ];
  const router = new Router();
  for (const [path, body, type] of files) {
    router.get(path, (ctx) => {
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.type = type;
      ctx.body = body;
    });
  }
  return router;
}
