// The one page of Sesame's that an iframe may need: oidc-provider's form_post response (a page
// that posts the code, or the error, to the client's redirect URI at once). An RP that signs in
// silently (prompt=none) in a hidden iframe with response_mode=form_post gets this page in its
// iframe; with frame-ancestors 'none' the browser would show nothing and the RP would wait for
// ever. The page may be framed by the origin of the redirect URI it posts to, and by no other: what
// it shows, that origin receives anyway, and it has nothing to click but a Continue button (for
// browsers without JavaScript) that posts to that same origin. Every other page, the sign-in and
// consent pages and the error pages included, keeps frame-ancestors 'none' and X-Frame-Options.
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** oidc-provider's route names whose responses may be its form_post page. */
const AUTHORIZATION_ROUTES = new Set(['authorization', 'resume']);

/** The form the form_post page opens with (oidc-provider 9, lib/response_modes/form_post.js). */
const FORM_POST = /<form method="post" action="([^"]*)">/;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The origin that may frame this response: the redirect URI's, when the response is the form_post
 * page of an authorization request and posts to a redirect URI its client registered; otherwise
 * undefined (no framing).
 */
export function formPostFrameAncestor(ctx: Parameters<Middleware>[0], html: string): string | undefined {
  const route = (ctx as { _matchedRouteName?: unknown })._matchedRouteName;
  if (typeof route !== 'string' || !AUTHORIZATION_ROUTES.has(route)) return undefined;
  const client = (ctx as unknown as KoaContextWithOIDC).oidc?.client;
  const action = FORM_POST.exec(html)?.[1]?.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);
  if (!client || action === undefined || !client.redirectUriAllowed(action)) return undefined;
  const url = URL.parse(action);
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.origin : undefined;
}
