// The page a person outside an app's allowed groups gets at sign-in (src/oidc/access-check.ts):
// who they are signed in as, "ask your administrator", back to the app (which then gets
// access_denied) or sign out to use another account.
import { html, type SafeHtml } from './html.js';
import type { Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

export interface NoAccessView {
  uid: string;
  csrf: string;
  clientName: string;
  /** The signed-in person's email, when known. */
  email?: string | undefined;
  /** The provider's end-session page (sign out). */
  signOut: string;
}

export function noAccessPage(t: Messages, { uid, csrf, clientName, email, signOut }: NoAccessView): SafeHtml {
  const m = t.access;
  return layout({
    title: m.title(clientName),
    locale: t.locale,
    body: html`<h1>${m.heading(clientName)}</h1>
<p class="lead">${m.askAdmin}</p>
${email && html`<p>${m.signedInAs(email)}</p>`}
<div class="actions">
<form method="post" action="/interaction/${encodeURIComponent(uid)}/abort">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="primary">${m.backToApp(clientName)}</button>
</form>
</div>
<p><a href="${signOut}">${m.switchAccount}</a></p>`,
  });
}
