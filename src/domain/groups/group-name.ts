// What a group may be called: short, and safe everywhere a name goes (a CLI argument, a URL path,
// a client's allowed_groups, later a claim value) without quoting.
import { ValidationError } from '../errors.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../text.js';

const GROUP_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

export const GROUP_NAME_RULE = '1 to 64 characters: letters, digits, and - _ . :';

export function isGroupName(value: string): boolean {
  return GROUP_NAME.test(value);
}

/** The name as given, or a ValidationError naming `field` and what is accepted. */
export function checkGroupName(value: string, field = 'name'): string {
  if (!isGroupName(value)) {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    throw new ValidationError(`group name ${JSON.stringify(shown)} is not valid; use ${GROUP_NAME_RULE}`, field);
  }
  return value;
}

const MAX_DESCRIPTION = 500;

/** A description: trimmed, at most 500 characters, empty as none. */
export function checkDescription(value: string | null | undefined): string | null {
  const text = (value ?? '').trim();
  if (!isPlainText(text)) throw new ValidationError(`description ${NOT_PLAIN_TEXT}`, 'description');
  if (text.length > MAX_DESCRIPTION) throw new ValidationError(`description must be at most ${MAX_DESCRIPTION} characters`, 'description');
  return text === '' ? null : text;
}
