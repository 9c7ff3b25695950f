// Texts of the account page (/account): name, email, password, sessions, connected apps. German
// beside English; the type makes a missing translation a compile error.
import { html, type SafeHtml } from '../html.js';

const minutes = (waitMs: number) => Math.max(1, Math.ceil(waitMs / 60_000));

const en = {
  title: 'Your account',
  signedInAs: (email: string): SafeHtml => html`Signed in as <strong>${email}</strong>`,
  signOut: 'Sign out',

  nameHeading: 'Name',
  name: 'Name',
  saveName: 'Save name',
  nameSaved: 'Your name is saved.',

  emailHeading: 'Email',
  email: 'Email',
  verified: 'Verified',
  notVerified: 'Not verified',

  passwordHeading: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  confirmNewPassword: 'Confirm new password',
  changePassword: 'Change password',
  passwordHint: 'At least 10 characters. A few unrelated words make a good password; it must not be common or contain your email address or name.',
  passwordChanged: 'Your password is changed. Your other sessions are signed out.',
  wrongPassword: 'The current password is not correct.',
  mismatch: 'The new passwords do not match.',
  throttled: (waitMs: number) => {
    const n = minutes(waitMs);
    return `Too many attempts. Try again in ${n} ${n === 1 ? 'minute' : 'minutes'}.`;
  },
  passwordRules: {
    too_short: 'Password must be at least 10 characters.',
    too_long: 'Password must be at most 256 characters.',
    personal: 'Password must not be or contain your email address or name.',
    too_common: 'This password is too common or easy to guess; choose another.',
  },

  sessionsHeading: 'Sessions',
  sessionsLead: 'Where you are signed in to Sesame.',
  thisDevice: 'This device',
  otherSession: 'Another session',
  signedIn: 'Signed in',
  created: 'Started',
  expires: 'Ends',
  apps: 'Apps',
  noApps: 'none',
  signOutSession: 'Sign out this session',
  signOutOthers: 'Sign out other sessions',
  noOtherSessions: 'You have no other sessions.',
  sessionEnded: 'The session is signed out.',
  othersEnded: (count: number) => (count === 1 ? 'One other session is signed out.' : `${count} other sessions are signed out.`),

  appsHeading: 'Connected apps',
  appsLead: 'Apps you allowed to use your account, and what they may use.',
  noConnectedApps: 'No apps are connected.',
  allowed: 'Allowed',
  revoke: 'Revoke',
  revoked: (app: string) => `${app} is disconnected. It has to ask you again.`,
  scopes: {
    openid: 'Confirm your identity',
    profile: 'Your name',
    email: 'Your email address',
    offline_access: 'Stay signed in when you are away',
  } as Readonly<Record<string, string>>,

  factorsHeading: 'Second factors',
  factorsSoon: 'Authenticator apps will be added here.',

  notFound: 'That session or app is no longer there.',
  invalidName: 'This name cannot be saved: use at most 200 characters and no control characters.',
  signedOutTitle: 'Signed out',
  signInFailed: 'Signing in failed. Start again.',
  startAgain: 'Start again',
};

const de: typeof en = {
  title: 'Ihr Konto',
  signedInAs: (email) => html`Angemeldet als <strong>${email}</strong>`,
  signOut: 'Abmelden',

  nameHeading: 'Name',
  name: 'Name',
  saveName: 'Name speichern',
  nameSaved: 'Ihr Name ist gespeichert.',

  emailHeading: 'E-Mail',
  email: 'E-Mail',
  verified: 'Bestätigt',
  notVerified: 'Nicht bestätigt',

  passwordHeading: 'Passwort',
  currentPassword: 'Aktuelles Passwort',
  newPassword: 'Neues Passwort',
  confirmNewPassword: 'Neues Passwort bestätigen',
  changePassword: 'Passwort ändern',
  passwordHint:
    'Mindestens 10 Zeichen. Einige nicht zusammenhängende Wörter ergeben ein gutes Passwort; es darf nicht verbreitet sein und weder Ihre E-Mail-Adresse noch Ihren Namen enthalten.',
  passwordChanged: 'Ihr Passwort ist geändert. Ihre anderen Sitzungen sind abgemeldet.',
  wrongPassword: 'Das aktuelle Passwort ist falsch.',
  mismatch: 'Die neuen Passwörter stimmen nicht überein.',
  throttled: (waitMs) => {
    const n = minutes(waitMs);
    return `Zu viele Versuche. Versuchen Sie es in ${n} ${n === 1 ? 'Minute' : 'Minuten'} erneut.`;
  },
  passwordRules: {
    too_short: 'Das Passwort muss mindestens 10 Zeichen lang sein.',
    too_long: 'Das Passwort darf höchstens 256 Zeichen lang sein.',
    personal: 'Das Passwort darf weder Ihre E-Mail-Adresse noch Ihren Namen sein oder enthalten.',
    too_common: 'Dieses Passwort ist zu verbreitet oder leicht zu erraten; wählen Sie ein anderes.',
  },

  sessionsHeading: 'Sitzungen',
  sessionsLead: 'Wo Sie bei Sesame angemeldet sind.',
  thisDevice: 'Dieses Gerät',
  otherSession: 'Andere Sitzung',
  signedIn: 'Angemeldet',
  created: 'Begonnen',
  expires: 'Endet',
  apps: 'Apps',
  noApps: 'keine',
  signOutSession: 'Diese Sitzung abmelden',
  signOutOthers: 'Andere Sitzungen abmelden',
  noOtherSessions: 'Sie haben keine anderen Sitzungen.',
  sessionEnded: 'Die Sitzung ist abgemeldet.',
  othersEnded: (count) => (count === 1 ? 'Eine andere Sitzung ist abgemeldet.' : `${count} andere Sitzungen sind abgemeldet.`),

  appsHeading: 'Verbundene Apps',
  appsLead: 'Apps, denen Sie die Nutzung Ihres Kontos erlaubt haben, und was sie nutzen dürfen.',
  noConnectedApps: 'Keine Apps sind verbunden.',
  allowed: 'Erlaubt',
  revoke: 'Widerrufen',
  revoked: (app) => `${app} ist getrennt. Die App muss Sie erneut fragen.`,
  scopes: {
    openid: 'Ihre Identität bestätigen',
    profile: 'Ihr Name',
    email: 'Ihre E-Mail-Adresse',
    offline_access: 'Angemeldet bleiben, während Sie weg sind',
  },

  factorsHeading: 'Zweite Faktoren',
  factorsSoon: 'Authentifizierungs-Apps kommen hier hinzu.',

  notFound: 'Diese Sitzung oder App gibt es nicht mehr.',
  invalidName: 'Dieser Name kann nicht gespeichert werden: höchstens 200 Zeichen und keine Steuerzeichen.',
  signedOutTitle: 'Abgemeldet',
  signInFailed: 'Die Anmeldung ist fehlgeschlagen. Beginnen Sie von vorn.',
  startAgain: 'Von vorn beginnen',
};

export const account = { en, de };
