// Shown after a sign-out when the app gave no post_logout_redirect_uri.
import { html, type SafeHtml } from './html.js';
import type { Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

export interface LoggedOutView {
  clientName?: string | undefined;
}

export function loggedOutPage(t: Messages, { clientName }: LoggedOutView = {}): SafeHtml {
  const m = t.signIn;
  return layout({
    title: m.signedOutTitle,
    locale: t.locale,
    body: html`<h1>${m.signedOutHeading}</h1>
<p class="lead">${clientName ? m.signedOutOf(clientName) : m.signedOutOfSesame}</p>
<p>${m.canClose}</p>`,
  });
}
