// The mails of sign-up and email verification, in one language, from the one mail template.
import type { SelfServiceMailWriter } from '../../src/domain/accounts/email-verification.js';
import type { Messages } from '../i18n/catalogue.js';
import { renderMail } from '../mail/template.js';

export function selfServiceMails(t: Messages): SelfServiceMailWriter {
  const m = t.signUp.mails;
  return {
    verification(reason, link, name) {
      const intro = reason === 'sign-up' ? m.verifySignUp(name) : reason === 'email-change' ? m.verifyChange : m.verifyResend;
      return renderMail(t, { subject: m.verifySubject, intro, action: { label: m.verifyAction, url: link }, outro: [m.verifyOutro, t.mail.notYou] });
    },
    signUpExisting(resendLink) {
      return renderMail(t, {
        subject: m.existingSubject,
        intro: m.existing,
        action: { label: m.existingAction, url: resendLink },
        outro: [m.notYouNothingChanged],
      });
    },
    emailTaken() {
      return renderMail(t, { subject: m.takenSubject, intro: m.taken, outro: [m.notYouNothingChanged] });
    },
  };
}
