// The second step's page (views/second-factor.ts): "Use a passkey" only for a person who has one,
// hidden until passkeys.js shows it (so without JavaScript the page is the code form), with its
// scripts and the passkey's own message; in English and German. A person whose only factor is a
// passkey gets no code form, a line for browsers without JavaScript and "Add an authenticator app instead".
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../views/i18n/catalogue.js';
import { secondFactorPage } from '../../views/second-factor.js';

const view = { uid: 'u1', csrf: 'c'.repeat(43), clientName: 'Ledger', form: 'totp' as const, recoveryCodes: true };

describe('second-factor page', () => {
  it('offers "Use a passkey" (hidden until the script shows it) only when the person has one', () => {
    const without = secondFactorPage(messagesFor('en'), view).toString();
    expect(without).not.toContain('Use a passkey');
    expect(without).not.toContain('<script');

    const withPasskey = secondFactorPage(messagesFor('en'), { ...view, passkey: true }).toString();
    expect(withPasskey).toMatch(/<div id="passkey-second-factor" hidden>/);
    expect(withPasskey).toContain('action="/interaction/u1/second-factor/passkey"');
    expect(withPasskey).toContain('data-options="/interaction/u1/second-factor/passkey/options"');
    expect(withPasskey).toContain('>Use a passkey</button>');
    expect(withPasskey).toContain('<script src="/assets/passkeys.js" defer></script>');
    expect(withPasskey).toContain('Authentication code');
  });

  it('says when a passkey was not accepted, in German too', () => {
    expect(secondFactorPage(messagesFor('en'), { ...view, passkey: true, passkeyFailed: true }).toString()).toContain('That passkey was not accepted.');
    const de = secondFactorPage(messagesFor('de'), { ...view, passkey: true, passkeyFailed: true }).toString();
    expect(de).toContain('Einen Passkey verwenden');
    expect(de).toContain('Dieser Passkey wurde nicht angenommen.');
  });

  it('a passkey as the only factor: no code form, a line for browsers without JavaScript, and adding an app instead', () => {
    const only = { ...view, recoveryCodes: false, passkey: true, app: false, enrolHref: '/interaction/u1?use=authenticator-app' };
    const page = secondFactorPage(messagesFor('en'), only).toString();
    expect(page).not.toContain('name="code"');
    expect(page).not.toContain('action="/interaction/u1/second-factor"');
    expect(page).toContain('>Use a passkey</button>');
    expect(page).toContain('<p class="muted" id="passkey-needs-js">Using a passkey needs JavaScript.');
    expect(page).toMatch(/<p class="muted" id="passkey-unsupported" hidden>This browser cannot use passkeys\./);
    expect(page).toContain('<a href="/interaction/u1?use=authenticator-app">Add an authenticator app instead</a>');
    expect(page).toContain('<script src="/assets/passkeys.js" defer></script>');
    const failed = secondFactorPage(messagesFor('en'), { ...only, passkeyFailed: true }).toString();
    expect(failed).toContain('That passkey was not accepted. Try again.');
    expect(failed).not.toContain('enter a code');
    const de = secondFactorPage(messagesFor('de'), only).toString();
    expect(de).toContain('Für einen Passkey wird JavaScript benötigt.');
    expect(de).toContain('Stattdessen eine Authenticator-App hinzufügen');
  });
});
