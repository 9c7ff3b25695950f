// What the password reset and invitation services share: where a mailed link leads, and how its
// mail is written (the views render it, in the person's language; see views/mail/links.ts).
export const LINK_PATHS = { password_reset: '/reset-password', invitation: '/invitation' } as const;
export type LinkPurpose = keyof typeof LINK_PATHS;

/** Where a sign-in page may send the person back to (the sign-in they came from): /interaction/<uid> only. */
const RETURN_PATH = /^\/interaction\/[A-Za-z0-9_-]{1,128}$/;

/** `value` when it is a path back to a sign-in; undefined otherwise (never another site). */
export function returnPath(value: unknown): string | undefined {
  return typeof value === 'string' && RETURN_PATH.test(value) ? value : undefined;
}

/** The address of a mailed link: the issuer's page for `purpose` with the token (and the way back, if any). */
export function linkUrl(issuer: string, purpose: LinkPurpose, token: string, returnTo?: string): string {
  const url = new URL(issuer);
  url.pathname = `${url.pathname.replace(/\/$/, '')}${LINK_PATHS[purpose]}`;
  url.searchParams.set('token', token);
  if (returnTo) url.searchParams.set('return', returnTo);
  return url.toString();
}

export interface LinkMailInput {
  purpose: LinkPurpose;
  /** The page language of the person who asked (reset), or the one the admin chose (invitation). */
  locale: string | undefined;
  url: string;
  email: string;
  name: string | null;
  expiresAt: Date;
}

/** The mail carrying a link: subject, plain text and HTML from one template. */
export type ComposeLinkMail = (input: LinkMailInput) => { subject: string; text: string; html: string };
