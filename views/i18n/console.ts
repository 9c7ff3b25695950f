// Texts of the admin console's pages that people without the admin role reach too: "Not an
// administrator", the signed-out page and a failed sign-in (/admin/callback). The console's own
// pages, for admins only, stay in English (views/console/). German beside English; the type makes
// a missing translation a compile error.
import { html, type SafeHtml } from '../html.js';

const en = {
  /** The brand line, and what every title ends with ("Signed out · Sesame console"). */
  brand: 'Sesame console',

  notAdminTitle: 'Not an administrator',
  notAdminLead: 'Your account is not an administrator, so it cannot use the console.',
  signedInAs: (email: string): SafeHtml => html`You are signed in to Sesame as <strong>${email}</strong>.`,
  waysOut: "Sign out of Sesame, or sign in with an administrator's account.",
  signOut: 'Sign out',
  anotherAccount: 'Use another account',

  signedOutTitle: 'Signed out',
  signedOut: 'You are signed out of the Sesame console.',
  signInAgain: 'Sign in again',

  signInFailedTitle: 'Sign-in failed',
  startAgain: 'Start again',
  /** Why a sign-in to the console failed (SignInError's reason; `failed` for anything else). */
  signInFailed: {
    failed: 'Signing in to the console failed. Start again.',
    expired: 'This sign-in has expired or was started in another browser. Start again.',
    cancelled: 'Sign-in was cancelled.',
    noSubject: 'The sign-in did not name a user.',
    noSecondFactor: 'The console needs admins to sign in with a second factor, and this sign-in had none.',
  },
};

const de: typeof en = {
  brand: 'Sesame-Konsole',

  notAdminTitle: 'Kein Administrator',
  notAdminLead: 'Ihr Konto hat keine Administratorrechte und kann die Konsole deshalb nicht nutzen.',
  signedInAs: (email) => html`Sie sind bei Sesame als <strong>${email}</strong> angemeldet.`,
  waysOut: 'Melden Sie sich bei Sesame ab, oder melden Sie sich mit einem Administratorkonto an.',
  signOut: 'Abmelden',
  anotherAccount: 'Anderes Konto verwenden',

  signedOutTitle: 'Abgemeldet',
  signedOut: 'Sie sind von der Sesame-Konsole abgemeldet.',
  signInAgain: 'Erneut anmelden',

  signInFailedTitle: 'Anmeldung fehlgeschlagen',
  startAgain: 'Von vorn beginnen',
  signInFailed: {
    failed: 'Die Anmeldung an der Konsole ist fehlgeschlagen. Beginnen Sie von vorn.',
    expired: 'Diese Anmeldung ist abgelaufen oder wurde in einem anderen Browser begonnen. Beginnen Sie von vorn.',
    cancelled: 'Die Anmeldung wurde abgebrochen.',
    noSubject: 'Die Anmeldung hat keinen Benutzer genannt.',
    noSecondFactor: 'Die Konsole verlangt von Administratoren eine Anmeldung mit zweitem Faktor, und diese Anmeldung hatte keinen.',
  },
};

// Not `console`: that name is the global one.
export const consolePages = { en, de };
