// Every mail Sesame sends, from one template: a plain-text part and an HTML part made from the same
// content, so the two never say different things. The HTML is escaped like every page; mail
// clients ignore stylesheets, so its few styles are inline (no CSP applies to a mail).
import { html } from '../html.js';
import type { Messages } from '../i18n/catalogue.js';

export interface MailContent {
  subject: string;
  /** Paragraphs before the button. */
  intro: readonly string[];
  /** The one thing the mail asks the person to do. */
  action?: { label: string; url: string };
  /** Paragraphs after the button (how long the link works, what to do if it was not you). */
  outro?: readonly string[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail(t: Messages, { subject, intro, action, outro = [] }: MailContent): RenderedMail {
  const m = t.mail;
  const text = [
    m.greeting,
    '',
    ...intro.flatMap((p) => [p, '']),
    ...(action ? [`${action.label}:`, action.url, ''] : []),
    ...outro.flatMap((p) => [p, '']),
    '-- ',
    m.signature,
    '',
  ].join('\n');
  const page = html`<!doctype html>
<html lang="${t.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1d2330; max-width: 36em; margin: 0 auto; padding: 1em;">
<p>${m.greeting}</p>
${intro.map((p) => html`<p>${p}</p>\n`)}${
    action &&
    html`<p><a href="${action.url}" style="display: inline-block; padding: 0.6em 1.2em; background: #2f5bd3; color: #ffffff; text-decoration: none; border-radius: 6px;">${action.label}</a></p>
<p style="font-size: 0.9em; color: #555;">${m.linkFallback}<br><span style="word-break: break-all;">${action.url}</span></p>
`
  }${outro.map((p) => html`<p>${p}</p>\n`)}<p style="color: #555;">— ${m.signature}</p>
</body>
</html>
`;
  return { subject, text, html: page.toString() };
}
