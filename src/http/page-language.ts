// The language of a page for this request: an RP's ui_locales (from the authorization request,
// or `?ui_locales=` on Sesame's own pages) first, then the browser's Accept-Language.
import { messagesFor, type Messages } from '../../views/i18n/catalogue.js';
import { chooseLocale } from '../../views/i18n/locale.js';

/** The part of a Koa context (ours or oidc-provider's) that choosing a language reads. */
export interface LanguageContext {
  get(field: string): string;
  query?: unknown;
}

export function messagesOf(ctx: LanguageContext, uiLocales?: unknown): Messages {
  const fromQuery = (ctx.query as Record<string, unknown> | undefined)?.ui_locales;
  return messagesFor(chooseLocale({ uiLocales: uiLocales ?? fromQuery, acceptLanguage: ctx.get('accept-language') }));
}
