// Sessions in logout: `sid` in ID tokens and logout tokens, and Front-Channel Logout 1.0.
//
// oidc-provider puts the session id (`sid`) into a client's ID tokens, and its back-channel logout
// token, when the client has a back-channel logout URI and `backchannel_logout_session_required`
// (the client service sets it on by default). oidc-provider 9 no longer implements Front-Channel
// Logout, so Sesame does: a client's `frontchannel_logout_uri` and
// `frontchannel_logout_session_required` reach the provider as extra client metadata, its ID
// tokens carry `sid` when the latter is on, and when a person confirms a sign-out the answer (the
// provider's redirect to the app's post_logout_redirect_uri or to its own signed-out page) is
// replaced by Sesame's signed-out page with one hidden iframe per app signed out, loading its
// front-channel logout URI with `iss` and `sid`, then going on to where the redirect pointed.
// The apps signed out are the ones the provider tells over the back channel: every app of the
// session when the person ends it ("Sign out"), only the asking app otherwise.
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { frontchannelLogoutPage, type FrontchannelFrame } from '../../views/frontchannel-logout.js';
import { frontchannelCsp } from '../http/middleware/security-headers.js';
import { messagesOf } from '../http/page-language.js';
import { sendPage } from '../http/send-page.js';

/** The parts of oidc-provider's Client this module reads (the two front-channel fields are Sesame's extra metadata). */
interface LogoutClient {
  clientId: string;
  clientName?: string;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  frontchannel_logout_uri?: unknown;
  frontchannel_logout_session_required?: unknown;
}

/**
 * ID tokens (and so the authorization codes and refresh tokens behind them) carry `sid` for a
 * client that asked for the session in either logout channel. oidc-provider's own rule knows the
 * back channel only; `includeSid` is its Client's method for exactly this decision.
 */
export function includeSidForLogoutChannels(provider: Provider): void {
  const prototype = provider.Client.prototype as unknown as { includeSid(this: LogoutClient): boolean };
  prototype.includeSid = function includeSid(this: LogoutClient): boolean {
    const backchannel = Boolean(this.backchannelLogoutUri) && this.backchannelLogoutSessionRequired === true;
    const frontchannel = typeof this.frontchannel_logout_uri === 'string' && this.frontchannel_logout_session_required === true;
    return backchannel || frontchannel;
  };
}

interface SessionAuthorization {
  sid?: string;
}

/** Provider middleware (`provider.use`): the signed-out page with the apps' front-channel logout frames. */
export function frontchannelLogout(provider: Provider): Middleware {
  const confirmPath = `${provider.pathFor('end_session')}/confirm`;
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== confirmPath) return next();
    // Read before the provider ends the session: the apps it signed in to, and their sids.
    const session = await provider.Session.get(ctx as unknown as KoaContextWithOIDC);
    const authorizations: Record<string, SessionAuthorization> = { ...(session.authorizations ?? {}) };
    const askingClient = (session.state as { clientId?: string } | undefined)?.clientId;
    await next();

    // A sign-out that happened ends in the provider's redirect; an error page stays as it is.
    const location = ctx.response.get('location');
    if (ctx.status !== 303 || !location) return;
    const everything = Boolean((ctx as unknown as KoaContextWithOIDC).oidc?.params?.['logout']);
    const signedOut = everything ? Object.keys(authorizations) : askingClient ? [askingClient] : [];

    const frames: FrontchannelFrame[] = [];
    for (const clientId of signedOut) {
      const client = (await provider.Client.find(clientId)) as unknown as LogoutClient | undefined;
      const uri = client?.frontchannel_logout_uri;
      if (!client || typeof uri !== 'string') continue;
      const src = new URL(uri);
      const sid = authorizations[clientId]?.sid;
      if (client.frontchannel_logout_session_required === true && sid) {
        src.searchParams.set('iss', provider.issuer);
        src.searchParams.set('sid', sid);
      }
      frames.push({ clientName: client.clientName ?? clientId, src: src.href });
    }
    if (frames.length === 0) return;

    ctx.remove('Location');
    sendPage(ctx, frontchannelLogoutPage(messagesOf(ctx, ctx.oidc?.params?.ui_locales), { frames, next: location }), 200);
    ctx.set('Content-Security-Policy', frontchannelCsp(frames.map((frame) => frame.src)));
  };
}
