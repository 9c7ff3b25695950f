// GET /jwks, served by us rather than the provider: the body is serialised once per key-set
// version, carries an ETag (304 on If-None-Match), and may be cached for a time derived from the
// key schedule. A next key signs only once every instance has served it for JWKS_CACHE_LIFETIME.
// The common RP libraries (jose's createRemoteJWKSet, jwks-rsa) keep a fetched set for 10 minutes
// whatever the headers say, and a shared cache in front of an RP may have held its copy for up to
// our max-age before that: so max-age is what JWKS_CACHE_LIFETIME leaves after those 10 minutes
// (and one sync), and an RP's copy is never older than JWKS_CACHE_LIFETIME when a key activates.
//
// Every fetch that receives the set (a 200, or a 304 on the current ETag) is counted for its fetcher
// in memory (domain/keys/fetch-tally.ts: no database work here). RPs that refetch in a storm for
// kids they do not know get the same body from memory; past JWKS_RATE_LIMIT requests a minute from
// one source address (IPv6: one /64) on this instance they get 429 with Retry-After.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { PublishedKeySet } from '../domain/keys/key-service.js';
import { addressBucket } from '../domain/throttling/keys.js';

/** How long jose's createRemoteJWKSet and jwks-rsa keep a JWKS by default, whatever Cache-Control says. */
export const RP_LIBRARY_CACHE_MS = 10 * 60 * 1000;

export class JwksDocument {
  #body = '';
  #etag = '';
  #kids = ',';
  readonly maxAgeSeconds: number;

  constructor(set: PublishedKeySet, schedule: { jwksCacheLifetime: number; keySyncInterval: number }) {
    this.maxAgeSeconds = Math.max(0, Math.floor((schedule.jwksCacheLifetime - RP_LIBRARY_CACHE_MS - schedule.keySyncInterval) / 1000));
    this.update(set);
  }

  update(set: PublishedKeySet): void {
    this.#body = JSON.stringify({ keys: set.keys });
    this.#etag = `"${createHash('sha256').update(this.#body).digest('base64url').slice(0, 27)}"`;
    this.#kids = `,${set.keys.map((k) => k.kid).join(',')},`;
  }

  /** The kids of the set served now, as the fetcher table keeps them (`,kid,kid,`). */
  get kids(): string {
    return this.#kids;
  }

  get body(): string {
    return this.#body;
  }

  get etag(): string {
    return this.#etag;
  }
}

export interface JwksRouteOptions {
  path?: string;
  /** Requests per minute from one source address on this instance; 0: no limit. */
  rateLimit?: number;
  /** A fetch that received the set now served (a 200, or a 304 on its ETag). */
  fetched?(source: string, userAgent: string | undefined, kids: string): void;
}

const MINUTE_SECONDS = 60;

export function jwksRouter(document: JwksDocument, options: JwksRouteOptions = {}): Router {
  const router = new Router();
  const limiter = options.rateLimit ? new RateLimiterMemory({ keyPrefix: 'jwks', points: options.rateLimit, duration: MINUTE_SECONDS }) : undefined;
  router.get(options.path ?? '/jwks', async (ctx) => {
    if (limiter) {
      try {
        await limiter.consume(addressBucket(ctx.ip));
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        ctx.status = 429;
        ctx.set('Retry-After', String(retryAfter));
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { error: 'too_many_requests', error_description: `too many /jwks requests from this address; retry after ${retryAfter}s` };
        return;
      }
    }
    ctx.set('Cache-Control', `public, max-age=${document.maxAgeSeconds}`);
    ctx.set('ETag', document.etag);
    ctx.set('Access-Control-Allow-Origin', '*');
    options.fetched?.(ctx.ip, ctx.get('User-Agent') || undefined, document.kids);
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
