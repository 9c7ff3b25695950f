import type { DbClient } from './database.js';
import { isStorable } from './text.js';
import { isUniqueViolation, UniqueViolation } from './user-repository.js';

export interface ClientRecord {
  id: string;
  name: string;
  metadata: string;
  secretEncrypted: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewClient = Pick<ClientRecord, 'id' | 'name' | 'metadata' | 'secretEncrypted'>;

export function createClientRepository(prisma: DbClient) {
  return {
    async create(client: NewClient): Promise<ClientRecord> {
      try {
        return await prisma.client.create({ data: client });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation('id');
        throw error;
      }
    },
    // A value the database cannot hold (NUL, unpaired surrogates: text.ts) is no client's id.
    async findById(id: string): Promise<ClientRecord | null> {
      return isStorable(id) ? prisma.client.findUnique({ where: { id } }) : null;
    },
    list(): Promise<ClientRecord[]> {
      return prisma.client.findMany({ orderBy: { createdAt: 'asc' } });
    },
    /** The names of the clients among `ids` (one query; ids of no client are left out). */
    async namesOf(ids: string[]): Promise<Map<string, string>> {
      const wanted = [...new Set(ids.filter(isStorable))];
      if (wanted.length === 0) return new Map();
      const rows = await prisma.client.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
      return new Map(rows.map((r: { id: string; name: string }) => [r.id, r.name]));
    },
    /** Replaces a client's name and metadata; null when there is no such client. */
    async update(id: string, data: Pick<ClientRecord, 'name' | 'metadata'>): Promise<ClientRecord | null> {
      if (!isStorable(id)) return null;
      const { count } = await prisma.client.updateMany({ where: { id }, data });
      return count > 0 ? prisma.client.findUnique({ where: { id } }) : null;
    },
    /** Creates the client or replaces its name, metadata and secret (dynamic registration). */
    upsert(client: NewClient): Promise<ClientRecord> {
      const { id, ...data } = client;
      return prisma.client.upsert({ where: { id }, create: client, update: data });
    },
    async setSecret(id: string, secretEncrypted: string): Promise<boolean> {
      if (!isStorable(id)) return false;
      const { count } = await prisma.client.updateMany({ where: { id }, data: { secretEncrypted } });
      return count > 0;
    },
    async delete(id: string): Promise<boolean> {
      if (!isStorable(id)) return false;
      const { count } = await prisma.client.deleteMany({ where: { id } });
      return count > 0;
    },
  };
}

export type ClientRepository = ReturnType<typeof createClientRepository>;
