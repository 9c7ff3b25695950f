// The console's shell: the sign-in pages' look (sesame.css) widened for tables, a navigation bar
// that wraps on a phone, the signed-in admin with a sign-out button, and a one-line flash message.
// No inline script or style; /assets/console.js only adds copy buttons (everything works without it).
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import { documentHead } from '../layout.js';

export type Section = 'overview' | 'clients' | 'users' | 'groups' | 'keys' | 'audit';

export interface ConsoleFrame {
  csrf: string;
  /** The signed-in admin's email. */
  admin: string;
  flash?: { message: string; kind: 'ok' | 'error' } | undefined;
}

const SECTIONS: [Section, string, string][] = [
  ['overview', 'Overview', '/admin'],
  ['clients', 'Clients', '/admin/clients'],
  ['users', 'Users', '/admin/users'],
  ['groups', 'Groups', '/admin/groups'],
  ['keys', 'Keys', '/admin/keys'],
  ['audit', 'Audit log', '/admin/audit'],
];

export function consoleLayout(frame: ConsoleFrame, options: { title: string; section: Section; body: HtmlValue }): SafeHtml {
  const { title, section, body } = options;
  return html`<!doctype html>
<html lang="en">
<head>
${documentHead({ title: `${title} · Sesame console`, stylesheets: ['/assets/console.css'], scripts: ['/assets/console.js'] })}
</head>
<body class="console">
<header class="console-header">
<p class="brand"><a href="/admin">Sesame</a> <span class="muted">console</span></p>
<nav aria-label="Console">
<ul>
${SECTIONS.map(([id, label, href]) => html`<li><a href="${href}"${id === section ? html` aria-current="page"` : ''}>${label}</a></li>`)}
</ul>
</nav>
<form method="post" action="/admin/logout" class="signout">
<input type="hidden" name="csrf" value="${frame.csrf}">
<span class="muted who">${frame.admin}</span>
<button type="submit" class="link">Sign out</button>
</form>
</header>
<main class="card wide">
${frame.flash && html`<p class="${frame.flash.kind === 'error' ? 'alert' : 'notice'}" role="status">${frame.flash.message}</p>`}
${body}
</main>
</body>
</html>
`;
}

/** A one-message page for admins (a key or client not found). Pages others reach too are in outside.ts. */
export function consoleMessage(title: string, message: string, link?: { href: string; label: string }): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
${documentHead({ title: `${title} · Sesame console`, stylesheets: ['/assets/console.css'] })}
</head>
<body>
<main class="card">
<p class="brand">Sesame console</p>
<h1>${title}</h1>
<p class="lead">${message}</p>
${link && html`<p><a class="button" href="${link.href}">${link.label}</a></p>`}
</main>
</body>
</html>
`;
}

/** A field's error message under it, tied to the input by aria-describedby. */
export function fieldError(errors: Record<string, string>, field: string): SafeHtml {
  const message = errors[field];
  return message ? html`<p class="field-error" id="${field}-error">${message}</p>` : html``;
}

export function describedBy(errors: Record<string, string>, field: string): SafeHtml {
  return errors[field] ? html` aria-invalid="true" aria-describedby="${field}-error"` : html``;
}

export const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export const date = (iso: string | null | undefined): SafeHtml =>
  iso ? html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>` : html`<span class="muted">—</span>`;

/** A date short enough for a table cell that must not wrap: minutes only, the full time on hover. */
export const compactDate = (iso: string | null | undefined): SafeHtml =>
  iso
    ? html`<time datetime="${iso}" title="${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}">${iso.slice(0, 16).replace('T', ' ')}</time>`
    : html`<span class="muted">—</span>`;
