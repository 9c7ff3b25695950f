// The console's pages that people without the admin role reach too, before or instead of the
// signed-in console: signed out, a failed sign-in, and "Not an administrator" (not-admin.ts). They
// speak the reader's language (views/i18n/console.ts); the pages behind the sign-in, for admins
// only, stay in English (layout.ts).
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';
import { documentHead } from '../layout.js';

/** The shell: the console's look, without its navigation (nobody is signed in to it). */
export function outsidePage(t: Messages, title: string, body: HtmlValue): SafeHtml {
  const m = t.console;
  return html`<!doctype html>
<html lang="${t.locale}">
<head>
${documentHead({ title: `${title} · ${m.brand}`, stylesheets: ['/assets/console.css'] })}
</head>
<body>
<main class="card">
<p class="brand">${m.brand}</p>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

/** Where Sesame's logout sends the browser back to (`/admin?state=signed-out`). */
export function signedOutPage(t: Messages): SafeHtml {
  const m = t.console;
  return outsidePage(
    t,
    m.signedOutTitle,
    html`<p class="lead">${m.signedOut}</p>
<p><a class="button" href="/admin">${m.signInAgain}</a></p>`,
  );
}

export type SignInFailure = keyof Messages['console']['signInFailed'];

/** /admin/callback could not sign anyone in: why, and a fresh start. */
export function signInFailedPage(t: Messages, reason: SignInFailure): SafeHtml {
  const m = t.console;
  return outsidePage(
    t,
    m.signInFailedTitle,
    html`<p class="lead">${m.signInFailed[reason]}</p>
<p><a class="button" href="/admin">${m.startAgain}</a></p>`,
  );
}
