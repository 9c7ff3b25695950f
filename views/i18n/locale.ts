// Which language a page speaks. An RP's `ui_locales` (OIDC Core 3.1.2.1: a space-separated list
// of BCP 47 tags, most wanted first) wins over the browser's Accept-Language; English is the
// fallback. Only the primary subtag counts: "de-CH" gets German, there is one German.
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

function supported(tag: string): Locale | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === primary);
}

/** The first supported tag of a `ui_locales` value, in the RP's order. */
export function fromUiLocales(value: unknown): Locale | undefined {
  if (typeof value !== 'string') return undefined;
  for (const tag of value.split(' ')) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return undefined;
}

/** The supported language the browser ranks highest (q-values; ties keep the header's order). */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  let best: { locale: Locale; q: number } | undefined;
  // A header is short; anything absurd is cut rather than parsed at length.
  for (const part of header.slice(0, 1024).split(',')) {
    const [tag = '', ...params] = part.split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const locale = supported(tag);
    if (locale && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { locale, q };
  }
  return best?.locale;
}

export function chooseLocale({ uiLocales, acceptLanguage }: { uiLocales?: unknown; acceptLanguage?: string | undefined }): Locale {
  return fromUiLocales(uiLocales) ?? fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}
