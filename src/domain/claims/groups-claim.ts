// The groups claim: the person's groups, as one app is configured to see them. A client's
// `groups_claim` (stored in its metadata, set only by an administrator, like extra_claims) names
// the claim (default "groups") and the groups it may show: "all", or a list of group names (a
// person's other groups stay hidden from that app). Released only when the client asks for the
// `groups` scope and has it granted; a client without groups_claim gets no such claim at all, so
// no app learns group names it was not meant to.
import { z } from 'zod';
import { GROUP_NAME_RULE, isGroupName } from '../groups/group-name.js';
import { ValidationError } from '../errors.js';
import type { ClaimSource } from './app-claims.js';
import { CLAIM_NAME, RESERVED_CLAIMS } from './extra-claims.js';

export const GROUPS_SCOPE = 'groups';
export const DEFAULT_GROUPS_CLAIM = 'groups';
const MAX_INCLUDED = 100;

export interface GroupsClaim {
  /** The claim's name (default "groups"). */
  name: string;
  /** "all" of the person's groups, or only these. */
  include: 'all' | string[];
}

/** Why `name` cannot be the groups claim's name, or undefined when it can. */
export function groupsClaimNameRefusal(name: string): string | undefined {
  if (!CLAIM_NAME.test(name)) {
    return `groups_claim: claim name ${JSON.stringify(name.slice(0, 100))} is not valid: start with a letter or _, then letters, digits, _ . : / - (at most 100)`;
  }
  if (RESERVED_CLAIMS.has(name)) return `groups_claim: claim "${name}" is reserved (Sesame or the protocol sets it); choose another name`;
  return undefined;
}

const groupName = z.string().refine(isGroupName, {
  error: (issue) => `groups_claim: group name ${JSON.stringify(String(issue.input).slice(0, 80))} is not valid; use ${GROUP_NAME_RULE}`,
});

/** The `groups_claim` client field (schema.ts). */
export const GROUPS_CLAIM_FIELD = z
  .strictObject(
    {
      name: z
        .string()
        .optional()
        .superRefine((name, ctx) => {
          const refusal = name === undefined ? undefined : groupsClaimNameRefusal(name);
          if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
        })
        .describe(`the claim's name (default "${DEFAULT_GROUPS_CLAIM}"); reserved names (sub, email, ...) are refused`),
      include: z
        .union([z.literal('all'), z.array(groupName).min(1, 'groups_claim: include lists at least one group (or is "all")').max(MAX_INCLUDED)])
        .describe('"all" of the person\'s groups, or only the groups named here'),
    },
    { error: 'groups_claim is {"name"?: "<claim name>", "include": "all" | ["<group>", ...]}' },
  )
  .describe(
    `Sesame: with the ${GROUPS_SCOPE} scope, the person's groups in a claim of its ID tokens, userinfo and JWT access tokens: only those in include ("all" or a list). Absent: no groups claim. Set by an administrator only`,
  );

/** As stored: the name filled in, the list without repeats. */
export function normalizeGroupsClaim(value: { name?: string | undefined; include: 'all' | string[] } | undefined): GroupsClaim | undefined {
  if (!value) return undefined;
  return { name: value.name ?? DEFAULT_GROUPS_CLAIM, include: value.include === 'all' ? 'all' : [...new Set(value.include)] };
}

/** The group names of `include` that are no `names` to check (for group existence and deletion). */
export const includedGroups = (claim: GroupsClaim | undefined): string[] => (claim && claim.include !== 'all' ? claim.include : []);

/** A group renamed: the same claim with the new name in its include list. */
export function renameIncluded(claim: GroupsClaim, from: string, to: string): GroupsClaim {
  return claim.include === 'all' ? claim : { ...claim, include: [...new Set(claim.include.map((name) => (name === from ? to : name)))] };
}

/** What the claim shows of the person's groups (`theirs`, by name). */
export function visibleGroups(claim: GroupsClaim, theirs: readonly string[]): string[] {
  const shown = claim.include === 'all' ? theirs : theirs.filter((name) => claim.include.includes(name));
  return [...shown].sort();
}

/**
 * The groups claim as a claim source: nothing (and no query) unless the client has groups_claim
 * and the `groups` scope is granted; then one query for the person's group names.
 */
export function groupsClaimSource(
  groupsClaim: (clientId: string) => Promise<GroupsClaim | undefined>,
  groupNames: (userId: string) => Promise<string[]>,
): ClaimSource {
  return async (person, clientId, scopes) => {
    if (!scopes.has(GROUPS_SCOPE)) return {};
    const claim = await groupsClaim(clientId);
    if (!claim) return {};
    return { [claim.name]: visibleGroups(claim, await groupNames(person.id)) };
  };
}

/** A clash with the client's extra claims would make one of them silently win: refused instead. */
export function checkGroupsClaimAgainst(claim: GroupsClaim | undefined, extraClaimNames: readonly string[]): void {
  if (claim && extraClaimNames.includes(claim.name)) {
    throw new ValidationError(`groups_claim: claim "${claim.name}" is also one of the extra_claims; give one of them another name`, 'groups_claim');
  }
}
