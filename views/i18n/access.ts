// Texts of the page a person outside an app's allowed groups sees at sign-in.
import { html, type SafeHtml } from '../html.js';

const en = {
  title: (client: string) => `No access to ${client}`,
  heading: (client: string): SafeHtml => html`You don't have access to <span class="client">${client}</span>`,
  askAdmin: 'Ask your administrator.',
  signedInAs: (email: string): SafeHtml => html`You are signed in as <strong>${email}</strong>.`,
  backToApp: (client: string) => `Back to ${client}`,
  switchAccount: 'Sign out to use another account',
};

const de: typeof en = {
  title: (client) => `Kein Zugriff auf ${client}`,
  heading: (client) => html`Sie haben keinen Zugriff auf <span class="client">${client}</span>`,
  askAdmin: 'Wenden Sie sich an Ihre Administration.',
  signedInAs: (email) => html`Sie sind als <strong>${email}</strong> angemeldet.`,
  backToApp: (client) => `Zurück zu ${client}`,
  switchAccount: 'Abmelden, um ein anderes Konto zu verwenden',
};

export const access = { en, de };
