// Mistakes in a configuration file, named by where they are in it: `clients[2].redirect_uris[0]:
// ...`. Every channel (sesame apply, SESAME_CONFIG at start-up) shows the one line as it is.
import { ValidationError } from '../errors.js';
import type { PlanOptions } from './section.js';

export class ConfigFileError extends ValidationError {
  override name = 'ConfigFileError';
  constructor(
    /** Where in the file, e.g. clients[2].redirect_uris[0]; '' for the file as a whole. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem, path);
  }
}

export type Entry = Record<string, unknown>;

export const isMap = (value: unknown): value is Entry => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A section's list; an absent section is not this function's business (the caller skips it). */
export function listAt(value: unknown, path: string): unknown[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new ConfigFileError(path, 'must be a list (each entry starting with "- ")');
  return value;
}

export function mapAt(value: unknown, path: string): Entry {
  if (!isMap(value)) throw new ConfigFileError(path, 'must be a map of keys and values');
  return value;
}

/** Typo protection: a key nobody reads is refused, with the nearest known one when there is one. */
export function refuseUnknownKeys(entry: Entry, known: readonly string[], path: string): void {
  for (const key of Object.keys(entry)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => distance(k, key) <= 2 || k === `${key}s` || `${k}s` === key);
    throw new ConfigFileError(`${path}.${key}`, `unknown key${near ? ` (did you mean ${near}?)` : `; accepted: ${known.join(', ')}`}`);
  }
}

export function stringAt(entry: Entry, key: string, path: string, required: true): string;
export function stringAt(entry: Entry, key: string, path: string, required?: false): string | undefined;
export function stringAt(entry: Entry, key: string, path: string, required = false): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) {
    if (required) throw new ConfigFileError(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    // YAML reads 12345 or true as a number or a boolean: quoting keeps them text.
    const hint = typeof value === 'number' || typeof value === 'boolean' ? ` (put it in quotes: "${String(value)}")` : '';
    throw new ConfigFileError(`${path}.${key}`, `must be a string${hint}`);
  }
  return value;
}

export function booleanAt(entry: Entry, key: string, path: string): boolean | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ConfigFileError(`${path}.${key}`, 'must be true or false');
  return value;
}

/** A domain ValidationError about one field of an entry, at that field's path (and list item, when it quotes one). */
export function atField(error: ValidationError, entry: Entry, path: string, keyOf: (field: string) => string = (f) => f): ConfigFileError {
  if (!error.field) return new ConfigFileError(path, error.message);
  const key = keyOf(error.field);
  let at = `${path}.${key}`;
  const value = entry[key];
  if (Array.isArray(value)) {
    const index = value.findIndex((item) => typeof item === 'string' && error.message.includes(`"${item}"`));
    if (index >= 0) at += `[${index}]`;
  }
  return new ConfigFileError(at, error.message);
}

/**
 * Whether a thing another section names will exist once the file is applied: declared in its
 * section, or there now and not about to be pruned (with --prune, a file that has the section
 * declares all of them).
 */
export function willExist(name: string, sectionKey: string, existsNow: boolean, options: PlanOptions): boolean {
  const declared = options.declared.get(sectionKey);
  if (declared?.has(name)) return true;
  return existsNow && !(options.prune && declared !== undefined);
}

/** Edit distance, for "did you mean" (keys are short). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
