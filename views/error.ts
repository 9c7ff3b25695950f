// A friendly error page: a title and a message, plus the OAuth error code and description when
// there is one (escaped like everything else). Never a stack trace.
import { html, type SafeHtml } from './html.js';
import type { Messages } from './i18n/catalogue.js';
import { layout } from './layout.js';

export interface ErrorView {
  title: string;
  message: string;
  /** OAuth `error` code, e.g. invalid_request. */
  error?: string | undefined;
  /** OAuth `error_description`. */
  errorDescription?: string | undefined;
}

export function errorPage(t: Messages, { title, message, error, errorDescription }: ErrorView): SafeHtml {
  return layout({
    title,
    locale: t.locale,
    body: html`<h1>${title}</h1>
<p class="lead">${message}</p>
${
  (error || errorDescription) &&
  html`<dl class="details">
${error && html`<dt>${t.errors.errorLabel}</dt><dd class="code">${error}</dd>`}
${errorDescription && html`<dt>${t.errors.detailsLabel}</dt><dd>${errorDescription}</dd>`}
</dl>`
}`,
  });
}
