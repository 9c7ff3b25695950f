// `clients create|update --claim` and `clients update --remove-claim`: a client's extra claims one
// at a time, beside the whole object that --extra-claims JSON|@FILE (client-flags.ts) replaces.
//   --claim role=@grafana_role   the person's attribute grafana_role (absent when they have none)
//   --claim policy=readwrite     a fixed text
//   --claim 'level:=3'           a fixed JSON value (a number, true/false, a list, an object)
import type { ExtraClaims } from '../../domain/claims/extra-claims.js';
import { claimLines, parseClaimAssignment } from '../../domain/claims/extra-claims.js';
import { parseClientChanges } from '../../domain/clients/schema.js';
import { strings, UsageError, type OptionSpec, type ParsedArgs } from '../command.js';

export const CLAIM_OPTIONS: Record<string, OptionSpec> = {
  claim: { type: 'string', multiple: true },
  'remove-claim': { type: 'string', multiple: true },
};

export const CLAIM_HELP: [string, string][] = [
  ['--claim NAME=@ATTRIBUTE', "an extra claim (ID token, userinfo, JWT access tokens) from the person's"],
  ['', 'attribute (absent for a person without it); repeatable'],
  ['--claim NAME=TEXT', 'an extra claim with a fixed text; NAME:=JSON for a fixed JSON value'],
  ['--remove-claim NAME', '(update) removes that extra claim; repeatable'],
];

/** Whether the command line names claims one at a time. */
export const givesClaims = (args: ParsedArgs): boolean => strings(args, 'claim').length > 0 || strings(args, 'remove-claim').length > 0;

/** The --claim values checked before any database is opened (a bad one: exit 2 with the schema's message). */
export function checkClaimFlags(args: ParsedArgs): void {
  const added = claimsFromFlags({ ...args, values: { ...args.values, 'remove-claim': undefined } }, undefined);
  if (added) parseClientChanges({ extra_claims: added });
}

/** `current` with the --claim and --remove-claim flags applied (checked later by the client schema). */
export function claimsFromFlags(args: ParsedArgs, current: ExtraClaims | undefined): ExtraClaims | null {
  if (args.values['extra-claims'] !== undefined || args.values['no-extra-claims'] !== undefined) {
    throw new UsageError(`${args.command}: use either --extra-claims/--no-extra-claims or --claim/--remove-claim, not both`);
  }
  const claims: ExtraClaims = { ...(current ?? {}) };
  for (const name of strings(args, 'remove-claim')) {
    if (!Object.hasOwn(claims, name)) throw new UsageError(`${args.command}: --remove-claim ${name}: the client has no extra claim ${name}`);
    delete claims[name];
  }
  for (const text of strings(args, 'claim')) {
    const parsed = parseClaimAssignment(text);
    if (!parsed) throw new UsageError(`${args.command}: --claim "${text}" is not NAME=@ATTRIBUTE, NAME=TEXT or NAME:=JSON`);
    claims[parsed[0]] = parsed[1];
  }
  return Object.keys(claims).length > 0 ? claims : null;
}

/** For `clients show`: one line per claim, as --claim writes it. */
export const describeClaims = claimLines;
