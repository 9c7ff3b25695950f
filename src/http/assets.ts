// Serves the pages' stylesheet, the console's stylesheet and script, the front-channel logout page's script, the
// passkey script and SimpleWebAuthn's browser bundle (from node_modules: Sesame serves every
// script itself, no CDN). Read once at start-up; the stylesheet is found by walking up from this
// module so it works from src/http (tests, tsx) and from the compiled dist/src/http alike.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/**
 * SimpleWebAuthn's browser bundle (UMD: it defines window.SimpleWebAuthnBrowser), found through
 * the package's own entry point (script/index.js, two levels under the package).
 */
export function findWebAuthnBundle(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return join(dirname(dirname(entry)), 'dist', 'bundle', 'index.umd.min.js');
}

export function assetsRouter(): Router {
  const stylesheet = findStylesheet();
  const assets = dirname(stylesheet);
  const files: [string, Buffer, string][] = [
    ['/assets/sesame.css', readFileSync(stylesheet), 'text/css; charset=utf-8'],
    ['/assets/console.css', readFileSync(join(assets, 'console.css')), 'text/css; charset=utf-8'],
    ['/assets/console.js', readFileSync(join(assets, 'console.js')), 'text/javascript; charset=utf-8'],
    ['/assets/frontchannel.js', readFileSync(join(assets, 'frontchannel.js')), 'text/javascript; charset=utf-8'],
    ['/assets/passkeys.js', readFileSync(join(assets, 'passkeys.js')), 'text/javascript; charset=utf-8'],
    ['/assets/simplewebauthn-browser.js', readFileSync(findWebAuthnBundle()), 'text/javascript; charset=utf-8'],
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
