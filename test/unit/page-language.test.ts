import { describe, expect, it } from 'vitest';
import { consentPage } from '../../views/consent.js';
import { notAdminPage } from '../../views/console/not-admin.js';
import { signInFailedPage } from '../../views/console/outside.js';
import { messagesFor } from '../../views/i18n/catalogue.js';
import { chooseLocale, fromAcceptLanguage, fromUiLocales } from '../../views/i18n/locale.js';
import { loginPage } from '../../views/login.js';

describe('the language of a page', () => {
  it('takes the first supported ui_locales tag, in the RP order', () => {
    expect(fromUiLocales('fr-CA de en')).toBe('de');
    expect(fromUiLocales('en-GB de')).toBe('en');
    expect(fromUiLocales('DE-ch')).toBe('de');
    expect(fromUiLocales('fr ja')).toBeUndefined();
    expect(fromUiLocales(['de'])).toBeUndefined();
  });

  it('ranks Accept-Language by q-value, keeping the header order on ties', () => {
    expect(fromAcceptLanguage('en;q=0.5, de;q=0.9')).toBe('de');
    expect(fromAcceptLanguage('fr-FR, de-DE;q=0.8, en;q=0.7')).toBe('de');
    expect(fromAcceptLanguage('de, en')).toBe('de');
    expect(fromAcceptLanguage('en, de')).toBe('en');
    expect(fromAcceptLanguage('de;q=0, en;q=0.1')).toBe('en');
    expect(fromAcceptLanguage('de;q=abc')).toBeUndefined();
    expect(fromAcceptLanguage('*')).toBeUndefined();
    expect(fromAcceptLanguage(undefined)).toBeUndefined();
  });

  it('prefers ui_locales over Accept-Language and falls back to English', () => {
    expect(chooseLocale({ uiLocales: 'de', acceptLanguage: 'en' })).toBe('de');
    expect(chooseLocale({ uiLocales: 'fr', acceptLanguage: 'de-AT,de;q=0.9' })).toBe('de');
    expect(chooseLocale({ uiLocales: 'fr', acceptLanguage: 'fr' })).toBe('en');
    expect(chooseLocale({})).toBe('en');
  });

  it('renders the sign-in and consent pages in German with lang="de", escaping the same', () => {
    const de = messagesFor('de');
    const login = loginPage(de, { uid: 'u', csrf: 'c', clientName: '<b>App</b>', failed: true }).toString();
    expect(login).toContain('<html lang="de">');
    expect(login).toContain('<label for="email">E-Mail</label>');
    expect(login).toContain('<label for="password">Passwort</label>');
    expect(login).toContain('E-Mail oder Passwort ist falsch.');
    expect(login).toContain('&lt;b&gt;App&lt;/b&gt;');
    expect(login).not.toContain('<b>App</b>');
    const consent = consentPage(de, { uid: 'u', csrf: 'c', clientName: 'Wiki', scopes: ['openid', 'email', 'custom'] }).toString();
    expect(consent).toContain('>Erlauben</button>');
    expect(consent).toContain('>Ablehnen</button>');
    expect(consent).toContain('<li>Ihre E-Mail-Adresse</li>');
    expect(consent).toContain('<li>custom</li>');
  });

  it('renders the console pages a non-admin reaches in German, escaping the same, and in English by default', () => {
    const links = { endSession: { action: '/session/end', params: { state: '"><x>' } }, anotherAccount: '/admin/sign-in/another-account' };
    const de = notAdminPage(messagesFor('de'), '<b>x</b>@example.com', links).toString();
    expect(de).toContain('<html lang="de">');
    expect(de).toContain('<h1>Kein Administrator</h1>');
    expect(de).toContain('Sie sind bei Sesame als <strong>&lt;b&gt;x&lt;/b&gt;@example.com</strong> angemeldet.');
    expect(de).not.toContain('<b>x</b>');
    expect(de).toContain('value="&quot;&gt;&lt;x&gt;"');
    expect(de).toContain('>Anderes Konto verwenden</a>');
    const en = notAdminPage(messagesFor('en'), undefined, links).toString();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('>Sign out</button>');
    expect(en).toContain('>Use another account</a>');
    expect(en).not.toContain('You are signed in');
    expect(signInFailedPage(messagesFor('de'), 'cancelled').toString()).toContain('Die Anmeldung wurde abgebrochen.');
  });

  it('has every English text in German too, and none left in English by mistake', () => {
    const en = messagesFor('en');
    const de = messagesFor('de');
    const leaves = (value: unknown, path: string[] = []): [string, unknown][] =>
      typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...path, key])) : [[path.join('.'), value]];
    const german = new Map(leaves(de));
    for (const [path, text] of leaves(en)) {
      if (path === 'locale') continue;
      expect(german.has(path), path).toBe(true);
      // Strings that are the same word in both languages are allowed, but few.
      if (typeof text === 'string' && text.length > 12) expect(german.get(path), path).not.toBe(text);
    }
  });
});
