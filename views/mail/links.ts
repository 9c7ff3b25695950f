// The mails that carry a single-use link (a password reset, an invitation), in the language asked
// for, from the one mail template.
import type { ComposeLinkMail } from '../../src/domain/accounts/link-mail.js';
import { messagesFor } from '../i18n/catalogue.js';
import { chooseLocale } from '../i18n/locale.js';
import { renderMail } from './template.js';

export const composeLinkMail: ComposeLinkMail = ({ purpose, locale, url, email }) => {
  const t = messagesFor(chooseLocale({ uiLocales: locale }));
  if (purpose === 'invitation') {
    const m = t.invitations;
    return renderMail(t, {
      subject: m.mailSubject,
      intro: [m.mailIntro(email)],
      action: { label: m.mailAction, url },
      outro: [m.mailLifetime, t.mail.notYou],
    });
  }
  const m = t.passwordReset;
  return renderMail(t, {
    subject: m.mailSubject,
    intro: [m.mailIntro(email)],
    action: { label: m.mailAction, url },
    outro: [m.mailLifetime, t.mail.notYou],
  });
};
