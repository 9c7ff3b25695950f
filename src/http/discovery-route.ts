// GET /.well-known/openid-configuration from memory: the provider built the document for the
// first request after it started (oidc/discovery.ts keeps it), and every later one gets those
// bytes with the headers the provider sends (its open CORS: the caller's Origin, or *). RPs fetch
// discovery on every start and some on every sign-in; the provider's own Koa app built the same
// document again each time, at as much CPU as all of our middleware together.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { discoveryDocumentOf, OPENID_DISCOVERY_PATH } from '../oidc/discovery.js';
import { nameProviderRoute } from '../oidc/route-names.js';

/** Answers from memory and returns true when this is a GET of the document the provider already built. */
export function serveDiscovery(ctx: Context, provider: Provider): boolean {
  if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path !== OPENID_DISCOVERY_PATH) return false;
  const document = discoveryDocumentOf(provider);
  if (document === undefined) return false;
  ctx.vary('Origin');
  ctx.set('Access-Control-Allow-Origin', ctx.get('Origin') || '*');
  ctx.type = 'application/json';
  ctx.body = document;
  nameProviderRoute(ctx.req, 'discovery');
  return true;
}
