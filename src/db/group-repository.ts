// Groups and their members (src/domain/groups/). Names are what clients' allowed_groups name, so
// the access check asks by name: one query, whatever the number of groups a client names.
import type { DbClient } from './database.js';
import { isUniqueViolation, UniqueViolation } from './user-repository.js';

export interface GroupRecord {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
}

export interface GroupWithCount extends GroupRecord {
  memberCount: number;
}

export interface MemberRecord {
  userId: string;
  email: string;
  name: string | null;
  addedAt: Date;
}

export function createGroupRepository(prisma: DbClient) {
  return {
    async create(group: Omit<GroupRecord, 'createdAt'>): Promise<GroupRecord> {
      try {
        return await prisma.group.create({ data: group });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation('name');
        throw error;
      }
    },
    findByName(name: string): Promise<GroupRecord | null> {
      return prisma.group.findUnique({ where: { name } });
    },
    async list(): Promise<GroupWithCount[]> {
      const rows = await prisma.group.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { members: true } } } });
      return rows.map(({ _count, ...group }) => ({ ...group, memberCount: _count.members }));
    },
    /** The names among `names` that are no group's (one query). */
    async missing(names: string[]): Promise<string[]> {
      if (names.length === 0) return [];
      const rows = await prisma.group.findMany({ where: { name: { in: names } }, select: { name: true } });
      const found = new Set(rows.map((r) => r.name));
      return names.filter((n) => !found.has(n));
    },
    /** Changes a group's name and description; null when there is no such group. */
    async update(id: string, data: Partial<Pick<GroupRecord, 'name' | 'description'>>): Promise<GroupRecord | null> {
      try {
        const { count } = await prisma.group.updateMany({ where: { id }, data });
        return count > 0 ? prisma.group.findUnique({ where: { id } }) : null;
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation('name');
        throw error;
      }
    },
    /** Deletes the group (its memberships go with it); false when there was none. */
    async delete(id: string): Promise<boolean> {
      const { count } = await prisma.group.deleteMany({ where: { id } });
      return count > 0;
    },
    /** Adds a member; false when they were one already. */
    async addMember(groupId: string, userId: string): Promise<boolean> {
      try {
        await prisma.groupMember.create({ data: { groupId, userId } });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    /** Removes a member; false when they were none. */
    async removeMember(groupId: string, userId: string): Promise<boolean> {
      const { count } = await prisma.groupMember.deleteMany({ where: { groupId, userId } });
      return count > 0;
    },
    async members(groupId: string): Promise<MemberRecord[]> {
      const rows = await prisma.groupMember.findMany({
        where: { groupId },
        include: { user: { select: { email: true, name: true } } },
        orderBy: { user: { email: 'asc' } },
      });
      return rows.map((r) => ({ userId: r.userId, email: r.user.email, name: r.user.name, addedAt: r.createdAt }));
    },
    /** The names of the groups among `ids` (one query; ids of no group are left out). */
    async namesOf(ids: string[]): Promise<Map<string, string>> {
      const wanted = [...new Set(ids)];
      if (wanted.length === 0) return new Map();
      const rows = await prisma.group.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    /** A person's groups, by name. */
    async groupsOf(userId: string): Promise<GroupRecord[]> {
      const rows = await prisma.groupMember.findMany({ where: { userId }, include: { group: true }, orderBy: { group: { name: 'asc' } } });
      return rows.map((r) => r.group);
    },
    /** Whether the person is a member of at least one of the groups named (one query). */
    async isMemberOfAny(userId: string, names: string[]): Promise<boolean> {
      if (names.length === 0) return false;
      const row = await prisma.groupMember.findFirst({ where: { userId, group: { name: { in: names } } }, select: { groupId: true } });
      return row !== null;
    },
  };
}

export type GroupRepository = ReturnType<typeof createGroupRepository>;
