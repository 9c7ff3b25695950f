import type { DbClient } from './database.js';

export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUser = Pick<UserRecord, 'id' | 'email' | 'name' | 'emailVerified' | 'passwordHash'>;

export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

/** Prisma reports a unique-constraint violation as P2002 on both databases. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

export function createUserRepository(prisma: DbClient) {
  return {
    async create(user: NewUser): Promise<UserRecord> {
      try {
        return await prisma.user.create({ data: user });
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation('email');
        throw error;
      }
    },
    findByEmail(email: string): Promise<UserRecord | null> {
      return prisma.user.findUnique({ where: { email } });
    },
    findById(id: string): Promise<UserRecord | null> {
      return prisma.user.findUnique({ where: { id } });
    },
    list(): Promise<UserRecord[]> {
      return prisma.user.findMany({ orderBy: { createdAt: 'asc' } });
    },
    async deleteByEmail(email: string): Promise<boolean> {
      const { count } = await prisma.user.deleteMany({ where: { email } });
      return count > 0;
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
