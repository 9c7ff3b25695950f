// GET /jwks, served by us rather than the provider: the body is serialised once per key-set
// version, carries an ETag (304 on If-None-Match), and may be cached for a time derived from the
// key schedule. A next key is published JWKS_CACHE_LIFETIME before it signs; every instance
// serves a change within KEY_SYNC_INTERVAL; so a shared cache may hold the set for at most half of
// what is left, and an RP that refetches on its own schedule still has every key before it signs.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { PublishedKeySet } from '../domain/keys/key-service.js';

export class JwksDocument {
  #body = '';
  #etag = '';
  readonly maxAgeSeconds: number;

  constructor(set: PublishedKeySet, schedule: { jwksCacheLifetime: number; keySyncInterval: number }) {
    this.maxAgeSeconds = Math.max(0, Math.floor((schedule.jwksCacheLifetime - schedule.keySyncInterval) / 2 / 1000));
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
