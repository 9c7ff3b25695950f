// The page a signed-in person without the admin role gets at /admin. Single sign-on would send
// them straight back here, so it offers the two ways out: signing out of Sesame, and signing in
// afresh as someone else (prompt=login). Both are GETs that change nothing by themselves: the
// sign-out goes to Sesame's own logout confirmation (which carries its own CSRF protection), and
// "use another account" starts a new sign-in flow (state, nonce and PKCE protect its end).
import { html, type SafeHtml } from '../html.js';
import { documentHead } from '../layout.js';

export interface NotAdminLinks {
  /** Sesame's end_session_endpoint and the parameters that bring the browser back to the console. */
  endSession: { action: string; params: Record<string, string> };
  /** Starts a fresh sign-in to the console. */
  anotherAccount: string;
}

export function notAdminPage(email: string | undefined, links: NotAdminLinks): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
${documentHead({ title: 'Not an administrator · Sesame console', stylesheets: ['/assets/console.css'] })}
</head>
<body>
<main class="card">
<p class="brand">Sesame console</p>
<h1>Not an administrator</h1>
<p class="lead">Your account is not an administrator, so it cannot use the console.</p>
${email && html`<p>You are signed in to Sesame as <strong>${email}</strong>.</p>`}
<p>Sign out of Sesame, or sign in with an administrator's account.</p>
<div class="actions">
<form method="get" action="${links.endSession.action}">
${Object.entries(links.endSession.params).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" class="primary">Sign out</button>
</form>
<a class="button" href="${links.anotherAccount}">Use another account</a>
</div>
</main>
</body>
</html>
`;
}
