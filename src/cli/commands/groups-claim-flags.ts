// `clients create|update` flags for a client's groups claim (claims/groups-claim.ts):
//   --groups-claim NAME          the claim's name (default "groups")
//   --groups-claim-include G     a group the app may see (repeatable), or "all"
//   --no-groups-claim            (update) no groups claim any more
// A new groups claim needs --groups-claim-include: which groups an app sees is never implied.
import { GROUPS_SCOPE, type GroupsClaim } from '../../domain/claims/groups-claim.js';
import { flag, optionalString, strings, UsageError, type OptionSpec, type ParsedArgs } from '../command.js';

export const GROUPS_CLAIM_OPTIONS: Record<string, OptionSpec> = {
  'groups-claim': { type: 'string' },
  'groups-claim-include': { type: 'string', multiple: true },
};

export const NO_GROUPS_CLAIM_OPTION: Record<string, OptionSpec> = { 'no-groups-claim': { type: 'boolean' } };

export const GROUPS_CLAIM_HELP: [string, string][] = [
  ['--groups-claim-include G', `with the ${GROUPS_SCOPE} scope, the person's groups among these in a`],
  ['', 'claim (ID token, userinfo, JWT access tokens); "all" for every'],
  ['', 'group; repeatable. Without it the app gets no groups claim'],
  ['--groups-claim NAME', 'the claim\'s name (default "groups")'],
];

/** Whether the command line says anything about the groups claim. */
export const givesGroupsClaim = (args: ParsedArgs): boolean =>
  args.values['groups-claim'] !== undefined || strings(args, 'groups-claim-include').length > 0 || flag(args, 'no-groups-claim');

/** `current` with the flags applied: the new groups_claim, or null to remove it (checked later by the client schema). */
export function groupsClaimFromFlags(args: ParsedArgs, current: GroupsClaim | undefined): { name?: string; include: 'all' | string[] } | null {
  const name = optionalString(args, 'groups-claim');
  const include = strings(args, 'groups-claim-include');
  if (flag(args, 'no-groups-claim')) {
    if (name !== undefined || include.length > 0)
      throw new UsageError(`${args.command}: --no-groups-claim and --groups-claim/--groups-claim-include contradict each other`);
    return null;
  }
  if (include.includes('all') && include.length > 1)
    throw new UsageError(`${args.command}: --groups-claim-include all stands alone (it already means every group)`);
  const included: 'all' | string[] | undefined = include.length === 0 ? current?.include : include[0] === 'all' ? 'all' : include;
  if (included === undefined) {
    throw new UsageError(
      `${args.command}: --groups-claim needs --groups-claim-include G (repeatable) or --groups-claim-include all: which groups the app may see`,
    );
  }
  const claimName = name ?? current?.name;
  return { ...(claimName !== undefined ? { name: claimName } : {}), include: included };
}

/** For `clients show`. */
export function describeGroupsClaim(claim: GroupsClaim | undefined): string {
  if (!claim) return 'none';
  return `${claim.name}: ${claim.include === 'all' ? 'all groups' : claim.include.join(', ')} (with the ${GROUPS_SCOPE} scope)`;
}
