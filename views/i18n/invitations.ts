// Texts of invitations: the page an invitation link opens and the invitation mail. The password
// form's labels (New password, Confirm new password, Set password) are password-reset.ts's.
import { html, type SafeHtml } from '../html.js';

const en = {
  chooseTitle: 'Choose your password',
  welcome: (email: string): SafeHtml => html`Your Sesame account <strong>${email}</strong> is ready. Choose a password to start using it.`,

  linkExpiredTitle: 'Invitation expired',
  linkExpired: 'This invitation has expired or was already used. Ask the person who invited you to send a new one.',

  doneTitle: 'Welcome to Sesame',
  done: 'Your password is set. Sign in with your email address and this password in any app that uses Sesame.',

  mailSubject: 'Your Sesame account is ready',
  mailIntro: (email: string) => `You have been given a Sesame account, ${email}. Sesame signs you in to your organisation's apps.`,
  mailAction: 'Choose your password',
  mailLifetime: 'The link works once, for 7 days. If it has expired, ask for a new invitation.',
};

const de: typeof en = {
  chooseTitle: 'Ihr Passwort wählen',
  welcome: (email) => html`Ihr Sesame-Konto <strong>${email}</strong> ist bereit. Wählen Sie ein Passwort, um es zu nutzen.`,

  linkExpiredTitle: 'Einladung abgelaufen',
  linkExpired: 'Diese Einladung ist abgelaufen oder wurde schon benutzt. Bitten Sie die Person, die Sie eingeladen hat, eine neue zu senden.',

  doneTitle: 'Willkommen bei Sesame',
  done: 'Ihr Passwort ist gesetzt. Melden Sie sich mit Ihrer E-Mail-Adresse und diesem Passwort in jeder App an, die Sesame nutzt.',

  mailSubject: 'Ihr Sesame-Konto ist bereit',
  mailIntro: (email) => `Für Sie wurde ein Sesame-Konto angelegt: ${email}. Mit Sesame melden Sie sich bei den Apps Ihrer Organisation an.`,
  mailAction: 'Passwort wählen',
  mailLifetime: 'Der Link gilt einmal, 7 Tage lang. Ist er abgelaufen, bitten Sie um eine neue Einladung.',
};

export const invitations = { en, de };
