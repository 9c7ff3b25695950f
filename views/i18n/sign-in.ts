// Texts of the sign-in, consent and sign-out pages. German beside English, so a change to one is
// seen next to the other; the type makes a missing translation a compile error.
import { html, type SafeHtml } from '../html.js';

const minutes = (waitMs: number) => Math.max(1, Math.ceil(waitMs / 60_000));

const en = {
  signInTitle: 'Sign in',
  toContinueTo: (client: string): SafeHtml => html`to continue to <strong>${client}</strong>`,
  email: 'Email',
  password: 'Password',
  rememberMe: 'Keep me signed in',
  signInButton: 'Sign in',
  loginFailed: 'Incorrect email or password.',
  throttled: (waitMs: number) => {
    const n = minutes(waitMs);
    return `Too many attempts. Try again in ${n} ${n === 1 ? 'minute' : 'minutes'}.`;
  },
  anApp: 'an app',
  yourAccount: 'your Sesame account',

  allowTitle: (client: string) => `Allow ${client}?`,
  allowHeading: (client: SafeHtml): SafeHtml => html`Allow ${client}?`,
  isAskingFor: (client: string): SafeHtml => html`<strong>${client}</strong> is asking for:`,
  isAskingToConfirm: (client: string): SafeHtml => html`<strong>${client}</strong> is asking to confirm that you are signed in.`,
  allow: 'Allow',
  deny: 'Deny',
  accessTo: (resource: string, scopes: string): SafeHtml => html`Access to <span class="code">${resource}</span>: ${scopes}`,
  about: (client: string) => `About ${client}`,
  privacyPolicy: 'Privacy policy',
  termsOfService: 'Terms of service',
  scopes: {
    openid: 'Confirm your identity',
    profile: 'Your name',
    email: 'Your email address',
    offline_access: 'Stay signed in to the app when you are away (refresh tokens)',
  } as Readonly<Record<string, string>>,
  claims: {
    sub: 'Your account identifier',
    name: 'Your name',
    given_name: 'Your first name',
    family_name: 'Your last name',
    middle_name: 'Your middle name',
    nickname: 'Your nickname',
    preferred_username: 'Your preferred username',
    email: 'Your email address',
    email_verified: 'Whether your email address is verified',
    picture: 'Your picture',
    locale: 'Your language',
    zoneinfo: 'Your time zone',
    updated_at: 'When your profile was last updated',
  } as Readonly<Record<string, string>>,

  signOutTitle: 'Sign out',
  signOutOf: (client: SafeHtml): SafeHtml => html`Sign out of ${client}?`,
  signOutExplained: 'Signing out ends your Sesame session on this device. Apps that use Sesame will ask you to sign in again.',
  signOutButton: 'Sign out',
  staySignedIn: 'Stay signed in',
  signedOutTitle: 'Signed out',
  signedOutHeading: 'You are signed out',
  signedOutOf: (client: string): SafeHtml => html`You signed out of <strong>${client}</strong>.`,
  signedOutOfSesame: 'You signed out of Sesame.',
  canClose: 'You can close this page.',
  signingOutTitle: 'Signing out',
  signingOutApps: (count: number) => `Signing you out of ${count === 1 ? 'one app' : `${count} apps`} in this browser…`,
  signingOutOf: (client: string) => `Signing out of ${client}`,
  continue: 'Continue',

  expiredTitle: 'Sign-in expired',
  expired: 'This sign-in page has expired or has already been used. Go back to the app and start again.',
  staleTitle: 'Page out of date',
  stale: 'This step of the sign-in is already done or has changed. Go back to the app and start again.',
  unsupportedTitle: 'Sign-in cannot continue',
  unsupported: 'Sesame cannot show this step of the sign-in. Go back to the app and start again.',
};

const de: typeof en = {
  signInTitle: 'Anmelden',
  toContinueTo: (client) => html`um mit <strong>${client}</strong> fortzufahren`,
  email: 'E-Mail',
  password: 'Passwort',
  rememberMe: 'Angemeldet bleiben',
  signInButton: 'Anmelden',
  loginFailed: 'E-Mail oder Passwort ist falsch.',
  throttled: (waitMs) => {
    const n = minutes(waitMs);
    return `Zu viele Versuche. Versuchen Sie es in ${n} ${n === 1 ? 'Minute' : 'Minuten'} erneut.`;
  },
  anApp: 'eine App',
  yourAccount: 'Ihr Sesame-Konto',

  allowTitle: (client) => `${client} erlauben?`,
  allowHeading: (client) => html`${client} erlauben?`,
  isAskingFor: (client) => html`<strong>${client}</strong> bittet um:`,
  isAskingToConfirm: (client) => html`<strong>${client}</strong> möchte bestätigen, dass Sie angemeldet sind.`,
  allow: 'Erlauben',
  deny: 'Ablehnen',
  accessTo: (resource, scopes) => html`Zugriff auf <span class="code">${resource}</span>: ${scopes}`,
  about: (client) => `Über ${client}`,
  privacyPolicy: 'Datenschutzerklärung',
  termsOfService: 'Nutzungsbedingungen',
  scopes: {
    openid: 'Ihre Identität bestätigen',
    profile: 'Ihr Name',
    email: 'Ihre E-Mail-Adresse',
    offline_access: 'In der App angemeldet bleiben, während Sie weg sind (Refresh-Tokens)',
  },
  claims: {
    sub: 'Ihre Kontokennung',
    name: 'Ihr Name',
    given_name: 'Ihr Vorname',
    family_name: 'Ihr Nachname',
    middle_name: 'Ihr zweiter Vorname',
    nickname: 'Ihr Spitzname',
    preferred_username: 'Ihr bevorzugter Benutzername',
    email: 'Ihre E-Mail-Adresse',
    email_verified: 'Ob Ihre E-Mail-Adresse bestätigt ist',
    picture: 'Ihr Bild',
    locale: 'Ihre Sprache',
    zoneinfo: 'Ihre Zeitzone',
    updated_at: 'Wann Ihr Profil zuletzt geändert wurde',
  },

  signOutTitle: 'Abmelden',
  signOutOf: (client) => html`Von ${client} abmelden?`,
  signOutExplained: 'Die Abmeldung beendet Ihre Sesame-Sitzung auf diesem Gerät. Apps, die Sesame nutzen, fragen Sie erneut nach einer Anmeldung.',
  signOutButton: 'Abmelden',
  staySignedIn: 'Angemeldet bleiben',
  signedOutTitle: 'Abgemeldet',
  signedOutHeading: 'Sie sind abgemeldet',
  signedOutOf: (client) => html`Sie haben sich von <strong>${client}</strong> abgemeldet.`,
  signedOutOfSesame: 'Sie haben sich von Sesame abgemeldet.',
  canClose: 'Sie können diese Seite schließen.',
  signingOutTitle: 'Abmeldung',
  signingOutApps: (count) => `Sie werden in diesem Browser von ${count === 1 ? 'einer App' : `${count} Apps`} abgemeldet…`,
  signingOutOf: (client) => `Abmeldung von ${client}`,
  continue: 'Weiter',

  expiredTitle: 'Anmeldung abgelaufen',
  expired: 'Diese Anmeldeseite ist abgelaufen oder wurde schon benutzt. Gehen Sie zurück zur App und beginnen Sie von vorn.',
  staleTitle: 'Seite veraltet',
  stale: 'Dieser Schritt der Anmeldung ist schon erledigt oder hat sich geändert. Gehen Sie zurück zur App und beginnen Sie von vorn.',
  unsupportedTitle: 'Anmeldung kann nicht fortgesetzt werden',
  unsupported: 'Sesame kann diesen Schritt der Anmeldung nicht anzeigen. Gehen Sie zurück zur App und beginnen Sie von vorn.',
};

export const signIn = { en, de };
