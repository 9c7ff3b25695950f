// Authenticator-app codes for tests, computed with `otpauth` from the key a page shows, as an app
// would. Codes are for a given 30-second step relative to now: -1, 0 and +1 are all accepted, so a
// test can use three distinct codes in a row (each works once) without waiting.
import { Secret, TOTP } from 'otpauth';

export function totpOf(key: string): TOTP {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(key.replace(/\s+/g, '')) });
}

/** The code for the step `offset` steps from now. */
export function codeAt(key: string, offset = 0): string {
  return totpOf(key).generate({ timestamp: Date.now() + offset * 30_000 });
}

/** Waits until at least `margin` ms remain in the current step, so that a short sequence stays within it. */
export async function awayFromStepBoundary(margin = 8_000): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

/** The key an enrolment page prints (base32 grouped in fours), without the spaces. */
export function keyOnPage(html: string): string {
  const match = /id="totp-key">([A-Z2-7 ]+)</.exec(html);
  if (!match) throw new Error(`no key on the page:\n${html}`);
  return match[1]!.replace(/\s+/g, '');
}

/** The recovery codes a page shows once. */
export function recoveryCodesOnPage(html: string): string[] {
  const list = /id="recovery-codes">([\s\S]*?)<\/ul>/.exec(html);
  if (!list) throw new Error(`no recovery codes on the page:\n${html}`);
  return [...list[1]!.matchAll(/<li>([a-z2-7-]+)<\/li>/g)].map((m) => m[1]!);
}
