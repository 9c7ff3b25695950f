// Texts of sign-up and email verification: the pages (views/self-service/*) and their mails
// (views/self-service/mails.ts). German beside English; the type makes a missing one a compile error.
import { html, type SafeHtml } from '../html.js';

const list = (domains: readonly string[], or: string) =>
  domains.length <= 1 ? (domains[0] ?? '') : `${domains.slice(0, -1).join(', ')} ${or} ${domains.at(-1)!}`;

const en = {
  // The link on the sign-in page, the page's title and its button (PRODUCT.md fixes these words).
  createAccount: 'Create account',
  createAccountLead: 'Create your Sesame account.',
  email: 'Email',
  name: 'Name',
  password: 'Password',
  passwordHint: (min: number) => `At least ${min} characters. A few unrelated words make a strong password.`,
  domainHint: (domains: readonly string[]) => `Use your address at ${list(domains, 'or')}.`,
  haveAccount: 'Already have an account?',
  signIn: 'Sign in',
  badEmail: 'Enter a valid email address.',
  badDomain: (domains: readonly string[]) => `Accounts can only be created with an email address at ${list(domains, 'or')}.`,
  badName: 'Enter your name (at most 200 characters).',
  badPassword: (min: number) => `Choose a password of at least ${min} characters that is hard to guess.`,

  checkMailTitle: 'Check your mail',
  checkMail: (email: string): SafeHtml =>
    html`We sent a message to <strong>${email}</strong>. Open the link in it to confirm your address; then you can sign in.`,
  checkMailMore: 'The link works for 2 days. If no mail arrives within a few minutes, look in your spam folder or ask for a new link.',
  backToSignIn: 'Back to sign in',

  confirmTitle: 'Confirm your email address',
  confirmText: (email: string): SafeHtml => html`Confirm that <strong>${email}</strong> is your email address.`,
  confirmButton: 'Confirm email address',
  invalidTitle: 'Link not valid',
  invalid: 'This link has expired or has already been used.',
  verifiedTitle: 'Email address confirmed',
  verified: (email: string): SafeHtml => html`<strong>${email}</strong> is confirmed.`,
  changed: (email: string): SafeHtml => html`Your account's email address is now <strong>${email}</strong>.`,
  canSignIn: 'You can sign in now.',
  continueTo: (client: string) => `Continue to ${client}`,
  takenTitle: 'Address already in use',
  taken: 'Another account uses this address now, so your email address was not changed.',

  resendTitle: 'Send a new link',
  resendLead: 'Enter your email address. If it is waiting to be confirmed, we send a new link to it.',
  resendButton: 'Send a new link',
  resentText: (email: string): SafeHtml =>
    html`If an account with <strong>${email}</strong> is waiting for its address to be confirmed, a new link is on its way.`,

  // The "change email" form of the account page.
  newEmail: 'New email address',
  changeEmailButton: 'Change email',
  changeEmailSent: (email: string) => `We sent a link to ${email}. Your address changes when you open it.`,
  verifyOwn: 'Send a link to confirm this address',
  verificationSent: 'We sent a link to your address. Open it to confirm the address.',

  mails: {
    verifySubject: 'Confirm your email address',
    verifySignUp: (name: string | null) => [
      name ? `Welcome to Sesame, ${name}!` : 'Welcome to Sesame!',
      'Confirm your email address to finish creating your account.',
    ],
    verifyResend: ['Confirm your email address for your Sesame account.'],
    verifyChange: ['You asked to change the email address of your Sesame account to this address. Confirm it to make the change.'],
    verifyAction: 'Confirm email address',
    verifyOutro: 'The link works for 2 days, once.',

    existingSubject: 'Someone tried to create an account with your address',
    existing: [
      'Someone, perhaps you, tried to create a Sesame account with this email address. It already has an account, so no new one was created and nothing was changed.',
      'If it was you, sign in with your password, or choose a new one with "Forgot password?" on the sign-in page. If you have not confirmed your address yet, ask for a new link.',
    ],
    existingAction: 'Send a new link',
    notYouNothingChanged: 'If it was not you, you can ignore this mail.',

    takenSubject: 'Someone tried to use your email address',
    taken: ['Someone asked to change the email address of a Sesame account to this address. It already belongs to an account, so nothing was changed.'],
  },
};

const de: typeof en = {
  createAccount: 'Konto erstellen',
  createAccountLead: 'Erstellen Sie Ihr Sesame-Konto.',
  email: 'E-Mail',
  name: 'Name',
  password: 'Passwort',
  passwordHint: (min) => `Mindestens ${min} Zeichen. Einige unzusammenhängende Wörter ergeben ein starkes Passwort.`,
  domainHint: (domains) => `Verwenden Sie Ihre Adresse bei ${list(domains, 'oder')}.`,
  haveAccount: 'Sie haben schon ein Konto?',
  signIn: 'Anmelden',
  badEmail: 'Geben Sie eine gültige E-Mail-Adresse ein.',
  badDomain: (domains) => `Konten können nur mit einer E-Mail-Adresse bei ${list(domains, 'oder')} erstellt werden.`,
  badName: 'Geben Sie Ihren Namen ein (höchstens 200 Zeichen).',
  badPassword: (min) => `Wählen Sie ein schwer zu erratendes Passwort mit mindestens ${min} Zeichen.`,

  checkMailTitle: 'Sehen Sie in Ihr Postfach',
  checkMail: (email) =>
    html`Wir haben eine Nachricht an <strong>${email}</strong> gesendet. Öffnen Sie den Link darin, um Ihre Adresse zu bestätigen; danach können Sie sich anmelden.`,
  checkMailMore:
    'Der Link ist 2 Tage gültig. Falls in einigen Minuten keine E-Mail ankommt, sehen Sie im Spam-Ordner nach oder fordern Sie einen neuen Link an.',
  backToSignIn: 'Zurück zur Anmeldung',

  confirmTitle: 'E-Mail-Adresse bestätigen',
  confirmText: (email) => html`Bestätigen Sie, dass <strong>${email}</strong> Ihre E-Mail-Adresse ist.`,
  confirmButton: 'E-Mail-Adresse bestätigen',
  invalidTitle: 'Link ungültig',
  invalid: 'Dieser Link ist abgelaufen oder wurde schon benutzt.',
  verifiedTitle: 'E-Mail-Adresse bestätigt',
  verified: (email) => html`<strong>${email}</strong> ist bestätigt.`,
  changed: (email) => html`Die E-Mail-Adresse Ihres Kontos ist jetzt <strong>${email}</strong>.`,
  canSignIn: 'Sie können sich jetzt anmelden.',
  continueTo: (client) => `Weiter zu ${client}`,
  takenTitle: 'Adresse schon vergeben',
  taken: 'Ein anderes Konto verwendet diese Adresse inzwischen, daher wurde Ihre E-Mail-Adresse nicht geändert.',

  resendTitle: 'Neuen Link senden',
  resendLead: 'Geben Sie Ihre E-Mail-Adresse ein. Wartet sie auf Bestätigung, senden wir einen neuen Link dorthin.',
  resendButton: 'Neuen Link senden',
  resentText: (email) => html`Falls ein Konto mit <strong>${email}</strong> auf die Bestätigung seiner Adresse wartet, ist ein neuer Link unterwegs.`,

  newEmail: 'Neue E-Mail-Adresse',
  changeEmailButton: 'E-Mail ändern',
  changeEmailSent: (email) => `Wir haben einen Link an ${email} gesendet. Ihre Adresse ändert sich, wenn Sie ihn öffnen.`,
  verifyOwn: 'Link zum Bestätigen dieser Adresse senden',
  verificationSent: 'Wir haben einen Link an Ihre Adresse gesendet. Öffnen Sie ihn, um die Adresse zu bestätigen.',

  mails: {
    verifySubject: 'Bestätigen Sie Ihre E-Mail-Adresse',
    verifySignUp: (name) => [
      name ? `Willkommen bei Sesame, ${name}!` : 'Willkommen bei Sesame!',
      'Bestätigen Sie Ihre E-Mail-Adresse, um die Erstellung Ihres Kontos abzuschließen.',
    ],
    verifyResend: ['Bestätigen Sie die E-Mail-Adresse Ihres Sesame-Kontos.'],
    verifyChange: [
      'Sie haben darum gebeten, die E-Mail-Adresse Ihres Sesame-Kontos in diese Adresse zu ändern. Bestätigen Sie sie, um die Änderung vorzunehmen.',
    ],
    verifyAction: 'E-Mail-Adresse bestätigen',
    verifyOutro: 'Der Link ist 2 Tage lang einmal gültig.',

    existingSubject: 'Jemand wollte mit Ihrer Adresse ein Konto erstellen',
    existing: [
      'Jemand, vielleicht Sie, wollte mit dieser E-Mail-Adresse ein Sesame-Konto erstellen. Zu ihr gibt es schon ein Konto, daher wurde kein neues erstellt und nichts geändert.',
      'Falls Sie es waren: Melden Sie sich mit Ihrem Passwort an oder wählen Sie mit „Passwort vergessen?“ auf der Anmeldeseite ein neues. Falls Sie Ihre Adresse noch nicht bestätigt haben, fordern Sie einen neuen Link an.',
    ],
    existingAction: 'Neuen Link senden',
    notYouNothingChanged: 'Falls Sie es nicht waren, können Sie diese E-Mail ignorieren.',

    takenSubject: 'Jemand wollte Ihre E-Mail-Adresse verwenden',
    taken: ['Jemand wollte die E-Mail-Adresse eines Sesame-Kontos in diese Adresse ändern. Sie gehört schon zu einem Konto, daher wurde nichts geändert.'],
  },
};

export const signUp = { en, de };
