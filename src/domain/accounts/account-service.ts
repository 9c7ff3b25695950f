// People who sign in. The CLI, the admin API and the sign-in pages all go through this service.
import { randomUUID } from 'node:crypto';
import type { UserRecord, UserRepository } from '../../db/user-repository.js';
import { UniqueViolation } from '../../db/user-repository.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { checkPassword, hashPassword, verifyPassword } from './password.js';

export interface User {
  id: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  createdAt: Date;
}

export interface NewUserInput {
  email: string;
  password: string;
  name?: string;
  emailVerified?: boolean;
}

/** Standard claims per scope, as the provider's `claims` option expects them. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  profile: ['name'],
  email: ['email', 'email_verified'],
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(record: UserRecord): User {
  const { id, email, name, emailVerified, createdAt } = record;
  return { id, email, name, emailVerified, createdAt };
}

export function createAccountService(users: UserRepository) {
  // Compared against when the email is unknown, so that both failures take as long.
  let decoyHash: Promise<string> | undefined;
  const decoy = () => (decoyHash ??= hashPassword('decoy password for unknown emails'));

  return {
    async create(input: NewUserInput): Promise<User> {
      const email = normalizeEmail(input.email);
      if (!EMAIL.test(email) || email.length > MAX_EMAIL_LENGTH) {
        throw new ValidationError(`email "${input.email}" is not a valid email address`, 'email');
      }
      const name = input.name?.trim() || null;
      if (name && name.length > MAX_NAME_LENGTH) {
        throw new ValidationError(`name must be at most ${MAX_NAME_LENGTH} characters`, 'name');
      }
      checkPassword(input.password);
      const passwordHash = await hashPassword(input.password);
      try {
        const record = await users.create({
          id: randomUUID(),
          email,
          name,
          emailVerified: input.emailVerified ?? false,
          passwordHash,
        });
        return toUser(record);
      } catch (error) {
        if (error instanceof UniqueViolation) throw new ConflictError(`a user with email ${email} already exists`);
        throw error;
      }
    },

    /** The account id for a correct email and password; undefined otherwise, in the same time. */
    async authenticate(email: string, password: string): Promise<{ accountId: string } | undefined> {
      const record = await users.findByEmail(normalizeEmail(email));
      const ok = await verifyPassword(record?.passwordHash ?? (await decoy()), password);
      return record && ok ? { accountId: record.id } : undefined;
    },

    async findById(id: string): Promise<User | undefined> {
      const record = await users.findById(id);
      return record ? toUser(record) : undefined;
    },

    async list(): Promise<User[]> {
      return (await users.list()).map(toUser);
    },

    async delete(email: string): Promise<void> {
      if (!(await users.deleteByEmail(normalizeEmail(email)))) {
        throw new NotFoundError(`no user with email ${normalizeEmail(email)}`);
      }
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
