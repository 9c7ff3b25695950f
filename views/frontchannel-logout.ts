// The signed-out page of Front-Channel Logout 1.0: one hidden iframe per app being signed out,
// each loading that app's frontchannel_logout_uri (with iss and sid when the app asked for them),
// so an app that lives only in the browser ends its session too. /assets/frontchannel.js goes on
// to where the sign-out leads once the page and its frames have loaded; without JavaScript the
// person follows the Continue link.
import { html, type SafeHtml } from './html.js';
import type { Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

export interface FrontchannelFrame {
  /** The app's name, for the frame's title. */
  clientName: string;
  /** The frontchannel_logout_uri with its iss and sid parameters. */
  src: string;
}

export interface FrontchannelLogoutView {
  frames: FrontchannelFrame[];
  /** Where the sign-out leads: the app's post_logout_redirect_uri, or Sesame's signed-out page. */
  next: string;
}

export function frontchannelLogoutPage(t: Messages, { frames, next }: FrontchannelLogoutView): SafeHtml {
  const m = t.signIn;
  return layout({
    title: m.signingOutTitle,
    locale: t.locale,
    body: html`<h1>${m.signedOutHeading}</h1>
<p class="lead">${m.signingOutApps(frames.length)}</p>
<p><a id="continue" class="button" href="${next}">${m.continue}</a></p>
<div class="frontchannel" aria-hidden="true">
${frames.map((frame) => html`<iframe src="${frame.src}" title="${m.signingOutOf(frame.clientName)}" data-frontchannel></iframe>\n`)}</div>
<script src="/assets/frontchannel.js" defer></script>`,
  });
}
