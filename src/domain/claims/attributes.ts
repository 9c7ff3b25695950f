// A person's custom attributes: what per-app claims are made of (Grafana's role, MinIO's policy,
// ...). A small flat JSON object: lower-case keys, and values a claim can carry as they are
// (text, a number, true/false, a list of texts). Stored as JSON text on the user row.
import { ValidationError } from '../errors.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../text.js';

export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;
/** A change: a value sets the key, null removes it, an absent key stays. */
export type AttributeChanges = Record<string, AttributeValue | null>;

export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_ATTRIBUTES = 50;
const MAX_TEXT = 1000;
const MAX_LIST = 100;
/** The whole object as stored (JSON): bounds what every token of the person may grow by. */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;

const FIELD = 'attributes';

export function checkAttributeKey(key: string): string {
  if (!ATTRIBUTE_KEY.test(key)) {
    const shown = isPlainText(key) && key.length <= 100 ? `"${key}"` : '(not printable)';
    throw new ValidationError(
      `attribute name ${shown} is not valid: use a lower-case letter, then up to 63 lower-case letters, digits or _ (like grafana_role)`,
      FIELD,
    );
  }
  return key;
}

function checkText(key: string, value: string): string {
  if (!isPlainText(value)) throw new ValidationError(`attribute ${key} ${NOT_PLAIN_TEXT}`, FIELD);
  if (value.length > MAX_TEXT) throw new ValidationError(`attribute ${key} must be at most ${MAX_TEXT} characters`, FIELD);
  return value;
}

/** One value, checked: text, a finite number, true/false, or a list of texts. */
export function checkAttributeValue(key: string, value: unknown): AttributeValue {
  if (typeof value === 'string') return checkText(key, value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST) throw new ValidationError(`attribute ${key} may list at most ${MAX_LIST} values`, FIELD);
    return value.map((item) => {
      if (typeof item !== 'string') throw new ValidationError(`attribute ${key} must be text, a number, true/false or a list of texts`, FIELD);
      return checkText(key, item);
    });
  }
  throw new ValidationError(`attribute ${key} must be text, a number, true/false or a list of texts`, FIELD);
}

/** A whole attributes object, checked (keys, values, count and size). */
export function checkAttributes(value: unknown): Attributes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('attributes must be an object', FIELD);
  const checked: Attributes = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) checked[checkAttributeKey(key)] = checkAttributeValue(key, item);
  if (Object.keys(checked).length > MAX_ATTRIBUTES) throw new ValidationError(`a person may have at most ${MAX_ATTRIBUTES} attributes`, FIELD);
  if (Buffer.byteLength(JSON.stringify(checked)) > MAX_ATTRIBUTES_BYTES) {
    throw new ValidationError(`attributes may take at most ${MAX_ATTRIBUTES_BYTES / 1024} KiB as JSON`, FIELD);
  }
  return checked;
}

/** A change's keys and values checked (null: remove). */
export function checkAttributeChanges(value: unknown): AttributeChanges {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('attributes must be an object', FIELD);
  const checked: AttributeChanges = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    checked[checkAttributeKey(key)] = item === null ? null : checkAttributeValue(key, item);
  }
  return checked;
}

/** `current` with `changes` applied, checked as a whole; keys come out sorted (stable JSON). */
export function applyAttributeChanges(current: Attributes, changes: AttributeChanges): Attributes {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return checkAttributes(Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The keys whose values differ between two attribute objects. */
export function changedAttributeKeys(before: Attributes, after: Attributes): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

/** The stored JSON text as attributes; anything unreadable reads as none (never a failed sign-in). */
export function parseStoredAttributes(text: string | null | undefined): Attributes {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Attributes) : {};
  } catch {
    return {};
  }
}

/**
 * One `key=value` as people type it on a command line: `key=text` is text; `key:=JSON` is a
 * JSON value (a number, true/false, a list of texts), like HTTPie's.
 */
export function parseAttributeAssignment(text: string): [string, AttributeValue] {
  const json = /^([^=]+?):=(.*)$/s.exec(text);
  const plain = json ? null : /^([^=]+)=(.*)$/s.exec(text);
  const match = json ?? plain;
  if (!match) throw new ValidationError(`"${text}" is not key=value (text) or key:=JSON`, FIELD);
  const key = checkAttributeKey(match[1]!.trim());
  if (!json) return [key, checkAttributeValue(key, match[2]!)];
  let value: unknown;
  try {
    value = JSON.parse(match[2]!);
  } catch {
    throw new ValidationError(`attribute ${key}: ${match[2]} is not JSON (key:=JSON takes a number, true/false or ["a","b"])`, FIELD);
  }
  return [key, checkAttributeValue(key, value)];
}

/** Each attribute as --attribute (and the console's form) writes it: text as key=text, anything else as key:=JSON. */
export function attributeLines(attributes: Attributes): string[] {
  return Object.entries(attributes).map(([key, value]) =>
    typeof value === 'string' && !value.includes('\n') ? `${key}=${value}` : `${key}:=${JSON.stringify(value)}`,
  );
}

/** The console's form: the attributes a person should have, one a line; as a change from `current` (keys gone: removed). */
export function attributeChangesFromLines(text: string, current: Attributes): AttributeChanges {
  const wanted: Attributes = {};
  for (const line of text.split(/\r?\n/).filter((l) => l.trim() !== '')) {
    const [key, value] = parseAttributeAssignment(line.trimStart());
    wanted[key] = value;
  }
  const changes: AttributeChanges = { ...wanted };
  for (const key of Object.keys(current)) if (!Object.hasOwn(wanted, key)) changes[key] = null;
  return changes;
}
