// Where a request came from and where it was meant to go, decided once, before any route runs:
// - The source address (audit log, throttling) is the socket's, or the X-Forwarded-For entry that
//   the last trusted proxy added (TRUST_PROXY: hops or proxy addresses); never one the client wrote.
// - The scheme and host are always the issuer's. Behind a TLS-terminating proxy the socket is plain
//   http, yet cookies must be Secure and links must point at the public https URL, whatever Host
//   or X-Forwarded-Host the request carried.
// oidc-provider, a Koa app of its own, gets the same answers through X-Forwarded-* headers that
// this module writes itself (the provider trusts them, and only them).
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../../config.js';

/** One year, the preload list's minimum; no includeSubDomains: other hosts are not ours to decide. */
export const HSTS = 'max-age=31536000';

type Trust = (address: string, hop: number) => boolean;

/** undefined: no proxy is trusted, the socket's address is the source (no forwarding header is parsed). */
function compileTrust(trust: TrustProxy): Trust | undefined {
  switch (trust.kind) {
    case 'none':
      return undefined;
    case 'hops':
      return (_address, hop) => hop < trust.hops;
    case 'addresses':
      return proxyaddr.compile(trust.addresses);
  }
}

/** The issuer's origin and scheme, as requestOrigin decided them for this request. */
export interface PublicOrigin {
  origin: string;
  https: boolean;
}

const publicOrigins = new WeakMap<object, PublicOrigin>();

/** The issuer's origin for this request; without requestOrigin (a bare app in a test), the request's own. */
export function publicOriginOf(ctx: { protocol: string; host: string; secure: boolean; req: object }): PublicOrigin {
  // Not ctx.origin: Koa 3 gives the request's Origin header there.
  return publicOrigins.get(ctx.req) ?? { origin: `${ctx.protocol}://${ctx.host}`, https: ctx.secure };
}

export interface RequestOrigin {
  /** Sets ctx.ip, Secure cookies and HSTS for the issuer's scheme. */
  middleware(): Middleware;
  /** Rewrites the forwarding headers the provider reads to the issuer's host and scheme and this address. */
  prepareForProvider(req: IncomingMessage, address: string): void;
}

export function requestOrigin(issuer: string, trustProxy: TrustProxy): RequestOrigin {
  const url = new URL(issuer);
  const https = url.protocol === 'https:';
  const trust = compileTrust(trustProxy);
  const publicOrigin: PublicOrigin = { origin: url.origin, https };
  return {
    middleware() {
      return async (ctx, next) => {
        publicOrigins.set(ctx.req, publicOrigin);
        ctx.request.ip = trust ? proxyaddr(ctx.req, trust) : (ctx.req.socket.remoteAddress ?? '');
        // Cookies default to Secure on an https issuer; Koa would otherwise refuse to set them
        // on the proxy's plain-http connection.
        ctx.cookies.secure = https;
        if (https) ctx.set('Strict-Transport-Security', HSTS);
        await next();
      };
    },
    prepareForProvider(req, address) {
      req.headers.host = url.host;
      req.headers['x-forwarded-host'] = url.host;
      req.headers['x-forwarded-proto'] = url.protocol.slice(0, -1);
      req.headers['x-forwarded-for'] = address;
    },
  };
}
