// Authenticator apps (totp_factor) and recovery codes (recovery_code): the only module that queries
// them. What a code is worth is decided in single statements, so two requests with the same code
// (a double submit, two instances) cannot both succeed: the database decides which one wins.
import type { DbClient } from './database.js';
import { Prisma } from './generated/sqlite/client.js';
import type { RawSql } from './raw-sql.js';
import { TOTP_COLUMNS, totpOf, TotpReadAhead, type TotpFactorRecord, type TotpRow } from './totp-read-ahead.js';
import { isUniqueViolation } from './user-repository.js';

export type { TotpFactorRecord } from './totp-read-ahead.js';

export interface RecoveryCodeRecord {
  id: string;
  codeHash: string;
}

/**
 * `sql` (Database.sql) runs findTotp: every sign-in with a correct password asks it, unless the
 * person's record brought it along (`readAhead`, shared with the user repository: totp-read-ahead.ts).
 */
export function createSecondFactorRepository(prisma: DbClient, sql: RawSql, readAhead = new TotpReadAhead()) {
  return {
    async findTotp(userId: string): Promise<TotpFactorRecord | null> {
      const early = readAhead.take(userId);
      if (early !== undefined) return early;
      // Raw: Prisma's typed findUnique cost more CPU than the read itself, on every sign-in.
      const [row] = await sql.query<TotpRow>(Prisma.sql`SELECT ${TOTP_COLUMNS} FROM "totp_factor" WHERE "userId" = ${userId}`);
      return row ? totpOf(row) : null;
    },

    /** Starts (or restarts) an enrolment: an unconfirmed factor. A confirmed one is never replaced. */
    async startTotp(userId: string, secretEncrypted: string): Promise<boolean> {
      readAhead.forget(userId);
      await prisma.totpFactor.deleteMany({ where: { userId, confirmedAt: null } });
      try {
        await prisma.totpFactor.create({ data: { userId, secretEncrypted } });
        return true;
      } catch (error) {
        // A confirmed factor exists (or another request started one at the same moment).
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    /**
     * Accepts a code of time step `step`: only when no code of this step or a later one was
     * accepted before. `confirm`: the enrolment's first code (the factor must be unconfirmed);
     * otherwise the factor must be confirmed. True for the one request whose statement changed the row.
     */
    async acceptStep(userId: string, step: number, confirm: boolean, now: Date): Promise<boolean> {
      readAhead.forget(userId);
      const { count } = await prisma.totpFactor.updateMany({
        where: {
          userId,
          confirmedAt: confirm ? null : { not: null },
          OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }],
        },
        data: confirm ? { lastUsedStep: step, confirmedAt: now } : { lastUsedStep: step },
      });
      return count === 1;
    },

    async updateSecret(userId: string, secretEncrypted: string): Promise<void> {
      readAhead.forget(userId);
      await prisma.totpFactor.updateMany({ where: { userId }, data: { secretEncrypted } });
    },

    /** Replaces every recovery code of the person (used ones included) with these, in one transaction. */
    async replaceRecoveryCodes(userId: string, codes: RecoveryCodeRecord[]): Promise<void> {
      await prisma.$transaction([
        prisma.recoveryCode.deleteMany({ where: { userId } }),
        prisma.recoveryCode.createMany({ data: codes.map((code) => ({ ...code, userId })) }),
      ]);
    },

    /** Marks the unused code with one of these hashes used; true for the one request that did. */
    async useRecoveryCode(userId: string, codeHashes: string[], now: Date): Promise<boolean> {
      const { count } = await prisma.recoveryCode.updateMany({ where: { userId, codeHash: { in: codeHashes }, usedAt: null }, data: { usedAt: now } });
      return count > 0;
    },

    countUnusedRecoveryCodes(userId: string): Promise<number> {
      return prisma.recoveryCode.count({ where: { userId, usedAt: null } });
    },

    /** Removes the person's authenticator app and recovery codes; what there was. */
    async deleteAll(userId: string): Promise<{ totp: boolean; recoveryCodes: number }> {
      readAhead.forget(userId);
      const [totp, codes] = await prisma.$transaction([
        prisma.totpFactor.deleteMany({ where: { userId } }),
        prisma.recoveryCode.deleteMany({ where: { userId } }),
      ]);
      return { totp: totp.count > 0, recoveryCodes: codes.count };
    },
    /** An admin's reset: the app, the recovery codes and the passkeys, in one transaction; what went. */
    async deleteEverything(userId: string): Promise<{ totp: boolean; recoveryCodes: number; passkeys: { id: string; name: string }[] }> {
      readAhead.forget(userId);
      const passkeys = await prisma.passkey.findMany({ where: { userId }, select: { id: true, name: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      const [totp, codes] = await prisma.$transaction([
        prisma.totpFactor.deleteMany({ where: { userId } }),
        prisma.recoveryCode.deleteMany({ where: { userId } }),
        prisma.passkey.deleteMany({ where: { userId, id: { in: passkeys.map((p) => p.id) } } }),
        // One added meanwhile goes too: after a reset the person has no second factor at all.
        prisma.passkey.deleteMany({ where: { userId } }),
      ]);
      return { totp: totp.count > 0, recoveryCodes: codes.count, passkeys };
    },
  };
}

export type SecondFactorRepository = ReturnType<typeof createSecondFactorRepository>;
