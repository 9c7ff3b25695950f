// `groups:` in a configuration file: groups by name, with their members (people, by email) declared
// with the group. Like a person's fields, a group's are managed only when written: a description
// left out stays as it is, and so does the membership of a group without `members:` (managed by
// hand then). A `members:` list is the whole membership: people not listed are taken out on every
// apply, without --prune (which is for whole groups, clients and people the file no longer
// declares). Members are checked against what exists once the file is applied (users:).
import { asEmailAddress } from '../accounts/account-service.js';
import { ValidationError } from '../errors.js';
import { checkDescription, checkGroupName } from '../groups/group-name.js';
import type { FieldChange, PlannedChange } from './changes.js';
import { ConfigFileError, listAt, mapAt, refuseUnknownKeys, stringAt, willExist } from './file-errors.js';
import type { Section } from './section.js';

const KEYS = ['name', 'description', 'members'];

export interface DesiredGroup {
  path: string;
  name: string;
  /** undefined: not managed; null: none. */
  description?: string | null;
  /** undefined: not managed; otherwise every member, by email (sorted). */
  members?: string[];
}

function parseEntry(raw: unknown, path: string): DesiredGroup {
  const entry = mapAt(raw, path);
  refuseUnknownKeys(entry, KEYS, path);
  const given = stringAt(entry, 'name', path, true);
  let name: string;
  let description: string | null | undefined;
  try {
    name = checkGroupName(given);
  } catch (error) {
    if (error instanceof ValidationError) throw new ConfigFileError(`${path}.name`, error.message);
    throw error;
  }
  if ('description' in entry) {
    try {
      description = checkDescription(entry.description === null ? null : (stringAt(entry, 'description', path) ?? null));
    } catch (error) {
      if (error instanceof ValidationError) throw new ConfigFileError(`${path}.description`, error.message);
      throw error;
    }
  }
  let members: string[] | undefined;
  if ('members' in entry) {
    const seen = new Map<string, number>();
    listAt(entry.members, `${path}.members`).forEach((item, i) => {
      const at = `${path}.members[${i}]`;
      if (typeof item !== 'string') throw new ConfigFileError(at, 'must be an email address (a string)');
      const email = asEmailAddress(item);
      if (!email) throw new ConfigFileError(at, `"${item}" is not a valid email address`);
      const earlier = seen.get(email);
      if (earlier !== undefined) throw new ConfigFileError(at, `${email} is listed twice (also members[${earlier}])`);
      seen.set(email, i);
    });
    members = [...seen.keys()].sort();
  }
  return { path, name, ...(description !== undefined ? { description } : {}), ...(members ? { members } : {}) };
}

export const groupsSection: Section<DesiredGroup[]> = {
  key: 'groups',

  parse(raw) {
    const seen = new Map<string, string>();
    return listAt(raw, 'groups').map((item, i) => {
      const desired = parseEntry(item, `groups[${i}]`);
      const earlier = seen.get(desired.name);
      if (earlier) throw new ConfigFileError(`groups[${i}].name`, `${desired.name} is declared twice (also ${earlier})`);
      seen.set(desired.name, `groups[${i}]`);
      return desired;
    });
  },

  names: (desired) => desired.map((d) => d.name),

  async plan(desired, { groups, accounts, clients }, options) {
    const current = new Map((await groups.list()).map((g) => [g.name, g]));
    const people = new Set((await accounts.list()).map((u) => u.email));
    const planned: PlannedChange[] = [];
    for (const d of desired) {
      for (const [i, email] of (d.members ?? []).entries()) {
        if (willExist(email, 'users', people.has(email), options)) continue;
        const pruned = people.has(email) ? ': --prune deletes them, as users: does not declare them' : '';
        throw new ConfigFileError(`${d.path}.members[${i}]`, `no user ${email}${pruned} (declare it under users: or create it first)`);
      }
      const now = current.get(d.name);
      if (!now) {
        const fields: FieldChange[] = [
          ...(d.description ? [{ field: 'description', to: d.description }] : []),
          ...(d.members?.length ? [{ field: 'members', to: d.members }] : []),
        ];
        planned.push({
          change: { action: 'create', kind: 'group', id: d.name, fields },
          async run(by) {
            await groups.create({ name: d.name, description: d.description ?? null }, by);
            for (const email of d.members ?? []) await groups.addMember(d.name, email, by);
          },
        });
        continue;
      }
      const fields: FieldChange[] = [];
      if (d.description !== undefined && d.description !== now.description) fields.push({ field: 'description', from: now.description, to: d.description });
      let added: string[] = [];
      let removed: string[] = [];
      if (d.members) {
        const had = new Set((await groups.members(d.name)).map((m) => m.email));
        added = d.members.filter((e) => !had.has(e));
        removed = [...had].filter((e) => !d.members!.includes(e)).sort();
        if (added.length + removed.length > 0) {
          fields.push({ field: 'members', note: [...added.map((e) => `+ ${e}`), ...removed.map((e) => `- ${e}`)].join(', ') });
        }
      }
      if (fields.length === 0) continue;
      planned.push({
        change: { action: 'update', kind: 'group', id: d.name, fields },
        async run(by) {
          if (d.description !== undefined && d.description !== now.description) await groups.update(d.name, { description: d.description }, by);
          for (const email of added) await groups.addMember(d.name, email, by);
          for (const email of removed) await groups.removeMember(d.name, email, by);
        },
      });
    }
    if (options.prune) {
      const declared = new Set(desired.map((d) => d.name));
      for (const [name, now] of current) {
        if (declared.has(name)) continue;
        // With a clients: section, its own check refuses a declared client naming a group that goes
        // (and undeclared clients are pruned first); without one, the clients stay as they are.
        if (!options.declared.has('clients')) {
          const naming = await clients.namingGroup(name);
          if (naming.length > 0) {
            throw new ConfigFileError(
              'groups',
              `--prune would delete group ${name}, which the allowed_groups of client ${naming.map((c) => c.client_id).join(', ')} names; declare the group, or take it out of their allowed_groups first`,
            );
          }
        }
        planned.push({
          change: {
            action: 'delete',
            kind: 'group',
            id: name,
            fields: now.member_count ? [{ field: 'members', note: `${now.member_count} (their membership goes with it)` }] : [],
          },
          run: (by) => groups.delete(name, by),
        });
      }
    }
    return planned;
  },

  async export({ groups }) {
    const entries: Record<string, unknown>[] = [];
    for (const group of await groups.list()) {
      const members = (await groups.members(group.name)).map((m) => m.email).sort();
      entries.push({ name: group.name, ...(group.description ? { description: group.description } : {}), members });
    }
    return { entries };
  },
};
