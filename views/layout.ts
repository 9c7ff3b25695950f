// The document shell shared by every page: no inline script or style (the CSP allows neither),
// one stylesheet, and a viewport that fits phones.
import { html, type HtmlValue, type SafeHtml } from '../src/http/html.js';

export interface LayoutOptions {
  /** The page's own title; " · Sesame" is appended. */
  title: string;
  body: HtmlValue;
}

export function layout({ title, body }: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>${title} · Sesame</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/sesame.css">
</head>
<body>
<main class="card">
<p class="brand">Sesame</p>
${body}
</main>
</body>
</html>
`;
}
