// The RP-initiated logout confirmation. oidc-provider hands us its own form (id "op.logoutForm",
// carrying its xsrf secret); our buttons submit that form from outside it via form="op.logoutForm".
// "Sign out" sends logout=yes: the whole Sesame session ends. "Stay signed in" sends nothing
// extra: only the asking app's part of the session ends and the Sesame session stays.
import { html, type SafeHtml } from './html.js';
import type { Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

export interface LogoutView {
  /** The app that asked to sign out, when known. */
  clientName?: string | undefined;
  /** oidc-provider's form markup, trusted (see raw() in views/html.ts). */
  form: SafeHtml;
}

export function logoutPage(t: Messages, { clientName, form }: LogoutView): SafeHtml {
  const m = t.signIn;
  const name = clientName || 'Sesame';
  return layout({
    title: m.signOutTitle,
    locale: t.locale,
    body: html`<h1>${m.signOutOf(html`<span class="client">${name}</span>`)}</h1>
<p class="lead">${m.signOutExplained}</p>
${form}
<div class="actions">
<button type="submit" class="primary" form="op.logoutForm" name="logout" value="yes" autofocus>${m.signOutButton}</button>
<button type="submit" class="secondary" form="op.logoutForm">${m.staySignedIn}</button>
</div>`,
  });
}
