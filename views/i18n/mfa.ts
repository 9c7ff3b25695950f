// Texts of second factors: the sign-in's second step (a code from an authenticator app, or a
// recovery code) and the account page's "Second factors" section with the pages of adding an
// app. German beside English; the type makes a missing translation a compile error. The labels
// "Authentication code", "Verify", "Use a recovery code" and "Add authenticator app" are fixed by
// the product contract (people and browser tests rely on them).
import { html, type SafeHtml } from '../html.js';

const en = {
  // The sign-in's second step
  stepTitle: 'Two-step verification',
  enterAppCode: (client: string): SafeHtml => html`Enter the code from your authenticator app to continue to <strong>${client}</strong>.`,
  code: 'Authentication code',
  verify: 'Verify',
  useRecoveryCode: 'Use a recovery code',
  recoveryTitle: 'Use a recovery code',
  enterRecoveryCode: (client: string): SafeHtml => html`Enter one of your recovery codes to continue to <strong>${client}</strong>. Each code works once.`,
  recoveryCode: 'Recovery code',
  useApp: 'Use your authenticator app instead',
  /** The same words for a wrong code and one already used. */
  wrongCode: 'That code did not work. Check it and try again.',
  otherWays: 'Other ways to verify',
  usePasskey: 'Use a passkey',
  passkeyFailed: 'That passkey was not accepted. Try again, or enter a code.',
  // The second step of a person whose only second factor is a passkey (no authenticator app).
  enterPasskey: (client: string): SafeHtml => html`Confirm it is you with your passkey to continue to <strong>${client}</strong>.`,
  passkeyNeedsJavaScript: 'Using a passkey needs JavaScript. Turn it on for this page, or add an authenticator app instead.',
  passkeyUnsupported: 'This browser cannot use passkeys. Use another browser, or add an authenticator app instead.',
  passkeyOnlyFailed: 'That passkey was not accepted. Try again.',
  addAppInstead: 'Add an authenticator app instead',
  usePasskeyInstead: 'Use your passkey instead',

  // The account page
  factorsLead: 'A second factor keeps your account safe even when someone learns your password.',
  appHeading: 'Authenticator app',
  appOn: 'On',
  appOff: 'Not set up',
  appAdded: 'Added',
  addApp: 'Add authenticator app',
  recoveryHeading: 'Recovery codes',
  recoveryLeft: (count: number) => (count === 1 ? 'One unused recovery code is left.' : `${count} unused recovery codes are left.`),
  regenerate: 'Regenerate recovery codes',
  regenerateHint: 'Enter a code from your authenticator app. Your old recovery codes stop working.',
  remove: 'Remove authenticator app',
  removeHint: 'Enter your password. Your recovery codes are removed with the app, and signing in asks for your password only.',
  currentPassword: 'Current password',
  appSetUp: 'Your authenticator app is set up.',
  appRemoved: 'Your authenticator app is removed.',
  alreadyOn: 'You already have an authenticator app. Remove it first to add another one.',

  // Adding an app
  enrolTitle: 'Add authenticator app',
  scan: 'Scan this QR code with an authenticator app on your phone.',
  qrAlt: 'QR code for your authenticator app',
  orTypeKey: 'Or, if you cannot scan it, type this key into the app:',
  key: 'Key',
  keyDetails: 'Time-based, 6 digits, every 30 seconds (SHA-1).',
  enterCode: 'Then enter the 6-digit code the app shows.',
  cancel: 'Back to your account',
  enrolRequired: (client: string): SafeHtml =>
    html`Signing in to <strong>${client}</strong> needs a second factor. Add an authenticator app to continue: you will be asked for a code from it each time you sign in.`,
  appSetUpSignIn: 'Your authenticator app is set up. Save your recovery codes, then continue.',

  // Recovery codes, shown once
  codesTitle: 'Your recovery codes',
  codesLead:
    'If you lose your phone, you can sign in with one of these codes instead of a code from the app. Each code works once. Keep them somewhere safe, such as a password manager or on paper: they are shown only now.',
  codesDone: 'I have saved my recovery codes',
};

const de: typeof en = {
  stepTitle: 'Bestätigung in zwei Schritten',
  enterAppCode: (client) => html`Geben Sie den Code aus Ihrer Authenticator-App ein, um mit <strong>${client}</strong> fortzufahren.`,
  code: 'Authentifizierungscode',
  verify: 'Bestätigen',
  useRecoveryCode: 'Einen Wiederherstellungscode verwenden',
  recoveryTitle: 'Wiederherstellungscode verwenden',
  enterRecoveryCode: (client) =>
    html`Geben Sie einen Ihrer Wiederherstellungscodes ein, um mit <strong>${client}</strong> fortzufahren. Jeder Code gilt einmal.`,
  recoveryCode: 'Wiederherstellungscode',
  useApp: 'Stattdessen die Authenticator-App verwenden',
  wrongCode: 'Dieser Code hat nicht funktioniert. Prüfen Sie ihn und versuchen Sie es erneut.',
  otherWays: 'Andere Wege der Bestätigung',
  usePasskey: 'Einen Passkey verwenden',
  passkeyFailed: 'Dieser Passkey wurde nicht angenommen. Versuchen Sie es erneut, oder geben Sie einen Code ein.',
  enterPasskey: (client) => html`Bestätigen Sie mit Ihrem Passkey, dass Sie es sind, um mit <strong>${client}</strong> fortzufahren.`,
  passkeyNeedsJavaScript:
    'Für einen Passkey wird JavaScript benötigt. Schalten Sie es für diese Seite ein, oder fügen Sie stattdessen eine Authenticator-App hinzu.',
  passkeyUnsupported:
    'Dieser Browser kann keine Passkeys verwenden. Verwenden Sie einen anderen Browser, oder fügen Sie stattdessen eine Authenticator-App hinzu.',
  passkeyOnlyFailed: 'Dieser Passkey wurde nicht angenommen. Versuchen Sie es erneut.',
  addAppInstead: 'Stattdessen eine Authenticator-App hinzufügen',
  usePasskeyInstead: 'Stattdessen Ihren Passkey verwenden',

  factorsLead: 'Ein zweiter Faktor schützt Ihr Konto auch dann, wenn jemand Ihr Passwort kennt.',
  appHeading: 'Authenticator-App',
  appOn: 'Aktiv',
  appOff: 'Nicht eingerichtet',
  appAdded: 'Hinzugefügt',
  addApp: 'Authenticator-App hinzufügen',
  recoveryHeading: 'Wiederherstellungscodes',
  recoveryLeft: (count) => (count === 1 ? 'Ein unbenutzter Wiederherstellungscode ist übrig.' : `${count} unbenutzte Wiederherstellungscodes sind übrig.`),
  regenerate: 'Wiederherstellungscodes neu erzeugen',
  regenerateHint: 'Geben Sie einen Code aus Ihrer Authenticator-App ein. Ihre alten Wiederherstellungscodes gelten dann nicht mehr.',
  remove: 'Authenticator-App entfernen',
  removeHint: 'Geben Sie Ihr Passwort ein. Ihre Wiederherstellungscodes werden mit der App entfernt, und die Anmeldung fragt nur noch nach Ihrem Passwort.',
  currentPassword: 'Aktuelles Passwort',
  appSetUp: 'Ihre Authenticator-App ist eingerichtet.',
  appRemoved: 'Ihre Authenticator-App ist entfernt.',
  alreadyOn: 'Sie haben schon eine Authenticator-App. Entfernen Sie sie zuerst, um eine andere hinzuzufügen.',

  enrolTitle: 'Authenticator-App hinzufügen',
  scan: 'Scannen Sie diesen QR-Code mit einer Authenticator-App auf Ihrem Telefon.',
  qrAlt: 'QR-Code für Ihre Authenticator-App',
  orTypeKey: 'Oder, wenn Sie ihn nicht scannen können, tippen Sie diesen Schlüssel in die App:',
  key: 'Schlüssel',
  keyDetails: 'Zeitbasiert, 6 Ziffern, alle 30 Sekunden (SHA-1).',
  enterCode: 'Geben Sie dann den 6-stelligen Code ein, den die App anzeigt.',
  cancel: 'Zurück zu Ihrem Konto',
  enrolRequired: (client) =>
    html`Die Anmeldung bei <strong>${client}</strong> erfordert einen zweiten Faktor. Fügen Sie eine Authenticator-App hinzu, um fortzufahren: Bei jeder Anmeldung werden Sie nach einem Code daraus gefragt.`,
  appSetUpSignIn: 'Ihre Authenticator-App ist eingerichtet. Speichern Sie Ihre Wiederherstellungscodes und fahren Sie dann fort.',

  codesTitle: 'Ihre Wiederherstellungscodes',
  codesLead:
    'Wenn Sie Ihr Telefon verlieren, können Sie sich mit einem dieser Codes statt mit einem Code aus der App anmelden. Jeder Code gilt einmal. Bewahren Sie sie sicher auf, etwa in einem Passwort-Manager oder auf Papier: Sie werden nur jetzt angezeigt.',
  codesDone: 'Ich habe meine Wiederherstellungscodes gespeichert',
};

export const mfa = { en, de };
