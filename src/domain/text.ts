// Plain text: what a person can type into a name, an email address, a URI or an id. Control
// characters (C0 such as NUL, DEL, C1) and unpaired UTF-16 surrogates are never part of one; they
// are what breaks storage (PostgreSQL refuses NUL), logs and pages, so such values are refused
// with a message instead of travelling on. Passwords are not text in this sense: they are hashed.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const NOT_PLAIN = /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isPlainText(value: string): boolean {
  return !NOT_PLAIN.test(value);
}

/** Completes "<field> ..." in an error message; never echoes the value (it may not print). */
export const NOT_PLAIN_TEXT = 'must not contain control characters (such as NUL) or invalid Unicode';
