// Console parts for mailed links: on a person's page, "Send password reset link" (or, for someone
// invited who has not chosen a password yet, "Send invitation again"); on the users page, the
// "Invite a user" form. With mail off they say so instead of offering buttons that cannot work.
import type { User } from '../../src/domain/accounts/account-service.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField, type ConsoleFrame } from './layout.js';

export interface MailedLinksView {
  /** Mail is on (SMTP_URL, or the development outbox). */
  available: boolean;
  /** Invited and not yet accepted: no password. */
  pending: boolean;
}

const MAIL_OFF = html`<p class="muted">Mail is off (SMTP_URL is not set): reset links and invitations cannot be sent.</p>`;

export function mailedLinksSection(frame: ConsoleFrame, user: User, { available, pending }: MailedLinksView): SafeHtml {
  const path = `/admin/users/${encodeURIComponent(user.id)}`;
  if (!available) return MAIL_OFF;
  if (pending) {
    return html`<p class="muted">${user.email} was invited and has not chosen a password yet; they cannot sign in until they do.</p>
<form method="post" action="${path}/invitation">
${csrfField(frame.csrf)}
<button type="submit" class="secondary">Send invitation again</button>
</form>`;
  }
  return html`<form method="post" action="${path}/reset-link">
${csrfField(frame.csrf)}
<p class="muted">Mails ${user.email} a link (valid 30 minutes) to choose a new password themselves; using it ends all their sessions.</p>
<button type="submit" class="secondary"${user.disabled ? html` disabled` : ''}>Send password reset link</button>
</form>`;
}

export function inviteSection(frame: ConsoleFrame, available: boolean): SafeHtml {
  return html`<h2 id="invite">Invite a user</h2>
${
  available
    ? html`<p class="muted">They get a mail with a link (valid 7 days) to choose their own password; until then they cannot sign in.</p>
<form method="post" action="/admin/users/invite">
${csrfField(frame.csrf)}
<div class="field">
<label for="invite_email">Email</label>
<input id="invite_email" name="email" type="email" required autocomplete="off" autocapitalize="none" spellcheck="false">
</div>
<div class="field">
<label for="invite_name">Name</label>
<input id="invite_name" name="name" type="text" autocomplete="off">
</div>
<div class="check">
<input id="invite_admin" name="is_admin" type="checkbox" value="yes">
<label for="invite_admin">Administrator (may use this console)</label>
</div>
<button type="submit" class="primary">Invite</button>
</form>`
    : MAIL_OFF
}`;
}
