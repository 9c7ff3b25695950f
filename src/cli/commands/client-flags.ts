// `clients create` and `clients update` flags, derived from the client schema (RFC 7591 names):
// each field is a flag named like it in kebab case (--backchannel-logout-uri, --scope, ...), a
// list field repeats, a boolean is a switch, an object (--jwks) is JSON: the document itself or
// @FILE. The contract's flags (PRODUCT.md) stay as they are: --name, --redirect-uri,
// --post-logout-redirect-uri, --grant-type, --id-token-alg, --resource and --public. A field added
// to the schema is a flag here with no change to this file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CLIENT_FIELD_NAMES, CLIENT_FIELDS, type ClientField } from '../../domain/clients/schema.js';
import { flag, optionalString, strings, UsageError, type OptionSpec, type ParsedArgs } from '../command.js';

/** The contract's names for some fields; every other field is its own name, dashed. */
const CONTRACT_FLAGS: Partial<Record<ClientField, string>> = {
  client_name: 'name',
  redirect_uris: 'redirect-uri',
  post_logout_redirect_uris: 'post-logout-redirect-uri',
  grant_types: 'grant-type',
  id_token_signed_response_alg: 'id-token-alg',
  resources: 'resource',
  allowed_groups: 'allowed-group',
};

/** Derived from other fields (application_type, response_types), or with flags of their own (groups-claim-flags.ts). */
const NOT_FLAGS = new Set<ClientField>(['application_type', 'response_types', 'groups_claim']);

/** Lists that `clients update` can empty with --no-X (for the others, a new list replaces the old). */
const CLEARABLE_LISTS = new Set<ClientField>(['allowed_groups']);

/** Single-valued fields that `clients update` cannot remove (--no-X): a client always has them. */
const NOT_REMOVABLE = new Set<ClientField>(['client_name', 'token_endpoint_auth_method']);

export const FLAG_FIELDS = CLIENT_FIELD_NAMES.filter((field) => !NOT_FLAGS.has(field));

export const flagOf = (field: ClientField): string => CONTRACT_FLAGS[field] ?? field.replaceAll('_', '-');

type Kind = 'list' | 'switch' | 'json' | 'value';

function kindOf(field: ClientField): Kind {
  const schema: z.ZodType = CLIENT_FIELDS[field];
  if (schema instanceof z.ZodArray) return 'list';
  if (schema instanceof z.ZodBoolean) return 'switch';
  if (schema instanceof z.ZodObject || schema instanceof z.ZodRecord) return 'json';
  return 'value';
}

/** A JSON flag's value: the JSON itself, or @FILE (relative to `cwd`) holding it. */
function jsonValue(args: ParsedArgs, name: string, cwd: string): unknown {
  const given = optionalString(args, name)!;
  let text = given;
  if (given.startsWith('@')) {
    try {
      text = readFileSync(resolve(cwd, given.slice(1)), 'utf8');
    } catch (error) {
      throw new UsageError(`${args.command}: --${name}: cannot read ${given.slice(1)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${args.command}: --${name} must be JSON, or @FILE naming a file that holds JSON`);
  }
}

/**
 * parseArgs options for the field flags: a switch also has --no-X (false), for create as for
 * update; `removable` adds --no-X to remove the other single-valued fields (update).
 */
export function clientFlagOptions(removable: boolean): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = {};
  for (const field of FLAG_FIELDS) {
    const kind = kindOf(field);
    options[flagOf(field)] = kind === 'switch' ? { type: 'boolean' } : { type: 'string', ...(kind === 'list' ? { multiple: true } : {}) };
    const clearable = kind !== 'list' || CLEARABLE_LISTS.has(field);
    if (kind === 'switch' || (removable && !NOT_REMOVABLE.has(field) && clearable)) options[`no-${flagOf(field)}`] = { type: 'boolean' };
  }
  return options;
}

/** Help rows for the flags that have no hand-written row: the schema's own description. */
export function derivedHelp(written: ReadonlySet<string>): [string, string][] {
  return FLAG_FIELDS.filter((field) => !written.has(flagOf(field))).map((field) => {
    const kind = kindOf(field);
    const usage = kind === 'switch' ? `--[no-]${flagOf(field)}` : `--${flagOf(field)}${kind === 'list' ? ' V ...' : kind === 'json' ? ' JSON|@FILE' : ' V'}`;
    return [usage, CLIENT_FIELDS[field].description ?? field];
  });
}

/**
 * The fields given on the command line, in the schema's names (absent stays absent); --no-X of a
 * switch is false. `cwd`: where @FILE values are read from.
 */
export function givenFields(args: ParsedArgs, cwd = process.cwd()): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of FLAG_FIELDS) {
    const name = flagOf(field);
    const kind = kindOf(field);
    if (kind === 'switch' && args.values[`no-${name}`] !== undefined) {
      if (args.values[name] !== undefined) throw new UsageError(`${args.command}: --${name} and --no-${name} contradict each other`);
      fields[field] = false;
      continue;
    }
    if (args.values[name] === undefined) continue;
    fields[field] =
      kind === 'list' ? strings(args, name) : kind === 'switch' ? flag(args, name) : kind === 'json' ? jsonValue(args, name, cwd) : optionalString(args, name);
  }
  return fields;
}

/** For update: what the flags change, `--no-X` as null (removed) or false; at least one change. */
export function changedFields(args: ParsedArgs, cwd = process.cwd()): Record<string, unknown> {
  const changes = givenFields(args, cwd);
  for (const field of FLAG_FIELDS) {
    const name = flagOf(field);
    if (kindOf(field) === 'switch' || args.values[`no-${name}`] === undefined) continue;
    if (changes[field] !== undefined) throw new UsageError(`${args.command}: --${name} and --no-${name} contradict each other`);
    changes[field] = null;
  }
  if (Object.keys(changes).length === 0) throw new UsageError(`${args.command}: nothing to change (see sesame ${args.command} --help)`);
  return changes;
}
