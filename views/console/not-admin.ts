// The page a signed-in person without the admin role gets at /admin. Single sign-on would send
// them straight back here, so it offers the two ways out: signing out of Sesame, and signing in
// afresh as someone else (prompt=login). Both are GETs that change nothing by themselves: the
// sign-out goes to Sesame's own logout confirmation (which carries its own CSRF protection), and
// "use another account" starts a new sign-in flow (state, nonce and PKCE protect its end).
// Anyone with an account can reach it, so it speaks their language (views/i18n/console.ts).
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { outsidePage } from './outside.js';

export interface NotAdminLinks {
  /** Sesame's end_session_endpoint and the parameters that bring the browser back to the console. */
  endSession: { action: string; params: Record<string, string> };
  /** Starts a fresh sign-in to the console. */
  anotherAccount: string;
}

export function notAdminPage(t: Messages, email: string | undefined, links: NotAdminLinks): SafeHtml {
  const m = t.console;
  return outsidePage(
    t,
    m.notAdminTitle,
    html`<p class="lead">${m.notAdminLead}</p>
${email && html`<p>${m.signedInAs(email)}</p>`}
<p>${m.waysOut}</p>
<div class="actions">
<form method="get" action="${links.endSession.action}">
${Object.entries(links.endSession.params).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" class="primary">${m.signOut}</button>
</form>
<a class="button" href="${links.anotherAccount}">${m.anotherAccount}</a>
</div>`,
  );
}
