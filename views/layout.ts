// The document shell shared by every page: no inline script or style (the CSP allows neither),
// one stylesheet, and a viewport that fits phones.
import { html, type HtmlValue, type SafeHtml } from './html.js';
import type { Locale } from './i18n/locale.js';

export interface LayoutOptions {
  /** The page's own title; " · Sesame" is appended. */
  title: string;
  body: HtmlValue;
  /** The language the page is written in (the `lang` attribute: screen readers, hyphenation). */
  locale: Locale;
  /** A wider card, for a page with several sections (the account page). */
  wide?: boolean;
  /** External scripts of Sesame's own (the CSP must allow script-src 'self' on such a page). */
  scripts?: string[];
}

/**
 * The <head> every page shares: phone viewport, no indexing, no favicon request, Sesame's
 * stylesheet plus any others, and external scripts only (the CSP forbids inline ones).
 */
export function documentHead({ title, stylesheets = [], scripts = [] }: { title: string; stylesheets?: string[]; scripts?: string[] }): SafeHtml {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<link rel="icon" href="data:,">
${['/assets/sesame.css', ...stylesheets].map((href) => html`<link rel="stylesheet" href="${href}">\n`)}${scripts.map((src) => html`<script src="${src}" defer></script>\n`)}`;
}

export function layout({ title, body, locale, wide = false, scripts = [] }: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="${locale}">
<head>
${documentHead({ title: `${title} · Sesame`, scripts })}
</head>
<body>
<main class="card${wide ? ' wide' : ''}">
<p class="brand">Sesame</p>
${body}
</main>
</body>
</html>
`;
}
