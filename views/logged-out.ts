// Shown after a sign-out when the app gave no post_logout_redirect_uri.
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';

export interface LoggedOutView {
  clientName?: string | undefined;
}

export function loggedOutPage({ clientName }: LoggedOutView = {}): SafeHtml {
  return layout({
    title: 'Signed out',
    body: html`<h1>You are signed out</h1>
<p class="lead">${clientName ? html`You signed out of <strong>${clientName}</strong>.` : 'You signed out of Sesame.'}</p>
<p>You can close this page.</p>`,
  });
}
