// What a text column can hold. PostgreSQL refuses NUL (0x00) in text ("invalid byte sequence for
// encoding UTF8"), and Prisma's query protocol refuses unpaired UTF-16 surrogates on both
// databases: either fails the whole query. Such a value is therefore never stored, so a lookup
// by it can only miss: repositories answer "not found" without asking the database.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Whether the database can take this string. */
export function isStorable(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** The string with what cannot be stored replaced by U+FFFD: for records that must be kept anyway. */
export function storable(value: string): string {
  return value.replace(UNSTORABLE_ALL, '\uFFFD');
}
