// Groups of people: created, renamed and deleted by administrators (CLI, admin API, console), with
// members added and removed by email. A client's allowed_groups names groups (access.ts); a group
// that clients name is not deleted (they would name nothing, and refuse everyone or, worse, be
// emptied into "everyone"), and a rename renames it in them too.
import { randomBytes } from 'node:crypto';
import type { GroupRecord, GroupRepository, MemberRecord } from '../../db/group-repository.js';
import { UniqueViolation } from '../../db/user-repository.js';
import { normalizeEmail } from '../accounts/account-service.js';
import { SYSTEM, type AuditRecorder, type By, type GroupTarget } from '../audit/actions.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { isPlainText } from '../text.js';
import { checkDescription, checkGroupName, isGroupName } from './group-name.js';

/** A group as the CLI, the admin API and the console show it. */
export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  member_count?: number;
  created_at: string;
}

export interface MemberView {
  sub: string;
  email: string;
  name: string | null;
  added_at: string;
}

/** A person, as the group service needs to know them. */
interface Person {
  id: string;
  email: string;
}

export interface GroupServiceDeps {
  groups: GroupRepository;
  accounts: { findByEmail(email: string): Promise<Person | undefined>; findById(id: string): Promise<Person | undefined> };
  /** The clients' side of groups: which name a group, and renaming it in them. */
  clients: {
    namingGroup(name: string): Promise<{ client_id: string; client_name: string }[]>;
    includingGroup(name: string): Promise<{ client_id: string; client_name: string }[]>;
    renameAllowedGroup(from: string, to: string, by: By): Promise<string[]>;
  };
  audit: AuditRecorder;
}

const newGroupId = () => randomBytes(12).toString('base64url');
const target = (id: string): GroupTarget => `group:${id}`;

const toView = (record: GroupRecord, memberCount?: number): GroupView => ({
  id: record.id,
  name: record.name,
  description: record.description,
  ...(memberCount !== undefined ? { member_count: memberCount } : {}),
  created_at: record.createdAt.toISOString(),
});

const memberView = (m: MemberRecord): MemberView => ({ sub: m.userId, email: m.email, name: m.name, added_at: m.addedAt.toISOString() });

export function createGroupService({ groups, accounts, clients, audit }: GroupServiceDeps) {
  async function find(name: string): Promise<GroupRecord> {
    const record = isGroupName(name) ? await groups.findByName(name) : null;
    if (!record) throw new NotFoundError(`no group named ${isGroupName(name) ? name : JSON.stringify(name.slice(0, 80))}`);
    return record;
  }

  async function person(email: string): Promise<Person> {
    const user = isPlainText(email) ? await accounts.findByEmail(email) : undefined;
    if (!user) throw new NotFoundError(`no user with email ${isPlainText(email) ? normalizeEmail(email) : '(not a valid email)'}`);
    return user;
  }

  async function personById(id: string): Promise<Person> {
    const user = isPlainText(id) ? await accounts.findById(id) : undefined;
    if (!user) throw new NotFoundError(`no user with id ${id}`);
    return user;
  }

  async function add(group: GroupRecord, user: Person, by: By): Promise<boolean> {
    const added = await groups.addMember(group.id, user.id);
    if (added) {
      await audit.record(by, {
        action: 'group.member_added',
        target: `user:${user.id}`,
        details: { group: group.name, group_id: group.id, email: user.email },
      });
    }
    return added;
  }

  async function remove(group: GroupRecord, user: Person, by: By): Promise<boolean> {
    const removed = await groups.removeMember(group.id, user.id);
    if (removed) {
      await audit.record(by, {
        action: 'group.member_removed',
        target: `user:${user.id}`,
        details: { group: group.name, group_id: group.id, email: user.email },
      });
    }
    return removed;
  }

  return {
    async create(input: { name: string; description?: string | null | undefined }, by: By = SYSTEM): Promise<GroupView> {
      const name = checkGroupName(input.name);
      const description = checkDescription(input.description);
      try {
        const record = await groups.create({ id: newGroupId(), name, description });
        await audit.record(by, { action: 'group.created', target: target(record.id), details: { name, ...(description ? { description } : {}) } });
        return toView(record, 0);
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a group named ${name} exists already`);
        throw error;
      }
    },

    /** Every group, by name, with how many members it has (one query). */
    async list(): Promise<GroupView[]> {
      return (await groups.list()).map((g) => toView(g, g.memberCount));
    },

    async get(name: string): Promise<GroupView & { members: MemberView[]; clients: { client_id: string; client_name: string }[] }> {
      const record = await find(name);
      const [members, naming] = await Promise.all([groups.members(record.id), clients.namingGroup(record.name)]);
      return { ...toView(record, members.length), members: members.map(memberView), clients: naming };
    },

    async members(name: string): Promise<MemberView[]> {
      return (await groups.members((await find(name)).id)).map(memberView);
    },

    /**
     * Renames a group and/or changes its description. A new name is renamed in every client's
     * allowed_groups too, so the access rules keep meaning the same people.
     */
    async update(name: string, changes: { name?: string | undefined; description?: string | null | undefined }, by: By = SYSTEM): Promise<GroupView> {
      const current = await find(name);
      const newName = changes.name !== undefined ? checkGroupName(changes.name) : current.name;
      const description = changes.description !== undefined ? checkDescription(changes.description) : current.description;
      let record: GroupRecord | null;
      try {
        record = await groups.update(current.id, { name: newName, description });
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a group named ${newName} exists already`);
        throw error;
      }
      if (!record) throw new NotFoundError(`no group named ${name}`);
      if (newName !== current.name) {
        const renamedIn = await clients.renameAllowedGroup(current.name, newName, by);
        await audit.record(by, { action: 'group.renamed', target: target(record.id), details: { name: newName, from: current.name, clients: renamedIn } });
      }
      if (description !== current.description) {
        await audit.record(by, { action: 'group.updated', target: target(record.id), details: { name: newName, changed: ['description'] } });
      }
      return toView(record);
    },

    rename(name: string, newName: string, by: By = SYSTEM): Promise<GroupView> {
      return this.update(name, { name: newName }, by);
    },

    /** Deletes a group and its memberships; refused while a client's allowed_groups or groups_claim names it. */
    async delete(name: string, by: By = SYSTEM): Promise<void> {
      const record = await find(name);
      const naming = await clients.namingGroup(record.name);
      if (naming.length > 0) {
        const list = naming.map((c) => `${c.client_name} (${c.client_id})`).join(', ');
        throw new ConflictError(
          `group ${record.name} is in the allowed_groups of ${naming.length === 1 ? 'client' : 'clients'} ${list}; take it out of their allowed groups first`,
        );
      }
      const including = await clients.includingGroup(record.name);
      if (including.length > 0) {
        const list = including.map((c) => `${c.client_name} (${c.client_id})`).join(', ');
        throw new ConflictError(
          `group ${record.name} is in the groups_claim of ${including.length === 1 ? 'client' : 'clients'} ${list}; take it out of their groups claim first`,
        );
      }
      const members = (await groups.members(record.id)).length;
      if (!(await groups.delete(record.id))) throw new NotFoundError(`no group named ${name}`);
      await audit.record(by, { action: 'group.deleted', target: target(record.id), details: { name: record.name, members } });
    },

    /** Adds the person with this email; false when they were a member already (nothing recorded). */
    async addMember(name: string, email: string, by: By = SYSTEM): Promise<{ added: boolean; member: MemberView }> {
      const [group, user] = await Promise.all([find(name), person(email)]);
      const added = await add(group, user, by);
      return { added, member: { sub: user.id, email: user.email, name: null, added_at: new Date().toISOString() } };
    },

    /** Removes the person with this email; false when they were no member. */
    async removeMember(name: string, email: string, by: By = SYSTEM): Promise<boolean> {
      const [group, user] = await Promise.all([find(name), person(email)]);
      return remove(group, user, by);
    },

    /** The same, for a person named by their id (the console's user page). */
    async addMemberById(name: string, userId: string, by: By = SYSTEM): Promise<boolean> {
      const [group, user] = await Promise.all([find(name), personById(userId)]);
      return add(group, user, by);
    },

    async removeMemberById(name: string, userId: string, by: By = SYSTEM): Promise<boolean> {
      const [group, user] = await Promise.all([find(name), personById(userId)]);
      return remove(group, user, by);
    },

    /** A person's groups, by name. */
    async groupsOf(userId: string): Promise<GroupView[]> {
      return (await groups.groupsOf(userId)).map((g) => toView(g));
    },

    /** group id → name for the groups among `ids` that still exist, in one query (the audit page's names). */
    namesOf(ids: string[]): Promise<Map<string, string>> {
      return groups.namesOf(ids);
    },

    /** The names among `names` that are no group's (client metadata checks its allowed_groups with it). */
    missing(names: string[]): Promise<string[]> {
      return groups.missing(names);
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
