// Texts of "Forgot password?": the request page, its answers, the page a reset link opens, and the
// reset mail. The form that chooses a password (New password, Confirm new password, Set password)
// is shared with invitations (views/i18n/invitations.ts has the rest of theirs).
import { html, type SafeHtml } from '../html.js';

const en = {
  forgotLink: 'Forgot password?',
  forgotTitle: 'Reset your password',
  forgotIntro: 'Enter the email address of your account. We will send it a link to choose a new password.',
  email: 'Email',
  sendButton: 'Send reset link',
  backToSignIn: 'Back to sign-in',
  invalidEmail: 'Enter an email address, such as name@example.com.',

  sentTitle: 'Check your email',
  sent: 'If an account uses this email address, a link to choose a new password is on its way. The link works once, for 30 minutes.',
  sentHint: 'No mail after a few minutes? Look in your spam folder, or ask again.',
  throttledTitle: 'Too many requests',
  throttled: 'Too many password reset requests came from your network. Try again in an hour.',
  unavailableTitle: 'Password reset is not available',
  unavailable: 'Sesame cannot send mail, so passwords cannot be reset here. Ask your administrator to set a new password for you.',

  chooseTitle: 'Choose a new password',
  chooseFor: (email: string): SafeHtml => html`for <strong>${email}</strong>`,
  newPassword: 'New password',
  confirmPassword: 'Confirm new password',
  setButton: 'Set password',
  mismatch: 'The two passwords are not the same. Type the new password twice.',
  /** `rule`: the password rule's own (English) message. */
  refused: (rule: string) => `Choose another password: the ${rule}.`,
  signsOutEverywhere: 'Setting it signs you out on every device and app.',

  linkExpiredTitle: 'Link expired',
  linkExpired: 'This password reset link has expired or was already used. A link works once, for 30 minutes, and only the newest one sent works.',
  askAgain: 'Ask for a new link',

  doneTitle: 'Password changed',
  done: 'Your new password is set, and you are signed out everywhere.',
  signIn: 'Sign in',
  signInFromApp: 'Go back to the app you were using and sign in with your new password.',

  mailSubject: 'Reset your Sesame password',
  mailIntro: (email: string) => `Someone, hopefully you, asked to reset the password of the Sesame account ${email}.`,
  mailAction: 'Choose a new password',
  mailLifetime: 'The link works once, for 30 minutes. Your password stays as it is until you choose a new one.',
};

const de: typeof en = {
  forgotLink: 'Passwort vergessen?',
  forgotTitle: 'Passwort zurücksetzen',
  forgotIntro: 'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden ihr einen Link, mit dem Sie ein neues Passwort wählen.',
  email: 'E-Mail',
  sendButton: 'Link zum Zurücksetzen senden',
  backToSignIn: 'Zurück zur Anmeldung',
  invalidEmail: 'Geben Sie eine E-Mail-Adresse ein, etwa name@example.com.',

  sentTitle: 'Sehen Sie in Ihre E-Mails',
  sent: 'Falls ein Konto diese E-Mail-Adresse nutzt, ist ein Link zum Wählen eines neuen Passworts unterwegs. Der Link gilt einmal, 30 Minuten lang.',
  sentHint: 'Nach ein paar Minuten keine E-Mail? Sehen Sie im Spam-Ordner nach, oder fragen Sie erneut.',
  throttledTitle: 'Zu viele Anfragen',
  throttled: 'Aus Ihrem Netz kamen zu viele Anfragen zum Zurücksetzen. Versuchen Sie es in einer Stunde erneut.',
  unavailableTitle: 'Zurücksetzen nicht verfügbar',
  unavailable:
    'Sesame kann keine E-Mails senden, deshalb lassen sich Passwörter hier nicht zurücksetzen. Bitten Sie Ihre Administration, ein neues Passwort für Sie zu setzen.',

  chooseTitle: 'Neues Passwort wählen',
  chooseFor: (email) => html`für <strong>${email}</strong>`,
  newPassword: 'Neues Passwort',
  confirmPassword: 'Neues Passwort bestätigen',
  setButton: 'Passwort festlegen',
  mismatch: 'Die beiden Passwörter stimmen nicht überein. Geben Sie das neue Passwort zweimal ein.',
  refused: () => 'Wählen Sie ein anderes Passwort: dieses ist zu kurz oder zu leicht zu erraten.',
  signsOutEverywhere: 'Damit werden Sie auf allen Geräten und in allen Apps abgemeldet.',

  linkExpiredTitle: 'Link abgelaufen',
  linkExpired: 'Dieser Link zum Zurücksetzen ist abgelaufen oder wurde schon benutzt. Ein Link gilt einmal, 30 Minuten lang, und nur der zuletzt gesendete.',
  askAgain: 'Neuen Link anfordern',

  doneTitle: 'Passwort geändert',
  done: 'Ihr neues Passwort ist gesetzt, und Sie sind überall abgemeldet.',
  signIn: 'Anmelden',
  signInFromApp: 'Gehen Sie zurück zur App und melden Sie sich mit Ihrem neuen Passwort an.',

  mailSubject: 'Ihr Sesame-Passwort zurücksetzen',
  mailIntro: (email) => `Jemand, hoffentlich Sie, möchte das Passwort des Sesame-Kontos ${email} zurücksetzen.`,
  mailAction: 'Neues Passwort wählen',
  mailLifetime: 'Der Link gilt einmal, 30 Minuten lang. Ihr Passwort bleibt, wie es ist, bis Sie ein neues wählen.',
};

export const passwordReset = { en, de };
