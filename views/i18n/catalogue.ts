// The message catalogue: every text a person reads on a page or in a mail, by language. Each
// area of Sesame keeps its texts in one file here (English and German side by side, German typed
// as English's shape so nothing can be missing); this file puts the areas together. To add an
// area: write views/i18n/<area>.ts exporting { en, de } and list it below.
import { access } from './access.js';
import { account } from './account.js';
import { consolePages } from './console.js';
import { errors } from './errors.js';
import { invitations } from './invitations.js';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locale.js';
import { mail } from './mail.js';
import { mfa } from './mfa.js';
import { passkeys } from './passkeys.js';
import { passwordReset } from './password-reset.js';
import { signIn } from './sign-in.js';
import { signUp } from './sign-up.js';

const AREAS = { access, account, console: consolePages, errors, invitations, mail, mfa, passkeys, passwordReset, signIn, signUp };

type Areas = typeof AREAS;
export type Messages = { readonly locale: Locale } & { readonly [Area in keyof Areas]: Areas[Area]['en'] };

function assemble(locale: Locale): Messages {
  const messages = { locale } as Record<string, unknown>;
  for (const [name, area] of Object.entries(AREAS)) messages[name] = area[locale];
  return messages as Messages;
}

const CATALOGUE = Object.fromEntries(LOCALES.map((locale) => [locale, assemble(locale)])) as Record<Locale, Messages>;

export function messagesFor(locale: Locale = DEFAULT_LOCALE): Messages {
  return CATALOGUE[locale];
}

/** English: what tests and code outside a request (start-up lines, logs) compare against. */
export const EN = messagesFor('en');
