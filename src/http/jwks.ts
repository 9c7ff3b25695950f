// GET /jwks, served by us rather than the provider: the body is serialised once per key-set
// version, carries an ETag (304 on If-None-Match), and may be cached for a time derived from the
// key schedule. A next key signs only once every instance has served it for JWKS_CACHE_LIFETIME.
// The common RP libraries (jose's createRemoteJWKSet, jwks-rsa) keep a fetched set for 10 minutes
// whatever the headers say, and a shared cache in front of an RP may have held its copy for up to
// our max-age before that: so max-age is what JWKS_CACHE_LIFETIME leaves after those 10 minutes
// (and one sync), and an RP's copy is never older than JWKS_CACHE_LIFETIME when a key activates.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { PublishedKeySet } from '../domain/keys/key-service.js';

/** How long jose's createRemoteJWKSet and jwks-rsa keep a JWKS by default, whatever Cache-Control says. */
export const RP_LIBRARY_CACHE_MS = 10 * 60 * 1000;

export class JwksDocument {
  #body = '';
  #etag = '';
  readonly maxAgeSeconds: number;

  constructor(set: PublishedKeySet, schedule: { jwksCacheLifetime: number; keySyncInterval: number }) {
    this.maxAgeSeconds = Math.max(0, Math.floor((schedule.jwksCacheLifetime - RP_LIBRARY_CACHE_MS - schedule.keySyncInterval) / 1000));
    this.update(set);
  }

  update(set: PublishedKeySet): void {
    this.#body = JSON.stringify({ keys: set.keys });
    this.#etag = `"${createHash('sha256').update(this.#body).digest('base64url').slice(0, 27)}"`;
  }

  get body(): string {
    return this.#body;
  }

  get etag(): string {
    return this.#etag;
  }
}

export function jwksRouter(document: JwksDocument, path = '/jwks'): Router {
  const router = new Router();
  router.get(path, (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${document.maxAgeSeconds}`);
    ctx.set('ETag', document.etag);
    ctx.set('Access-Control-Allow-Origin', '*');
    const ifNoneMatch = ctx.get('If-None-Match');
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === document.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/jwk-set+json; charset=utf-8';
    ctx.body = document.body;
  });
  return router;
}
