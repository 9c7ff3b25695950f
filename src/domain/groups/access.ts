// Per-app access rules: a client whose allowed_groups lists groups may be used only by their
// members (empty or absent: by everyone). Asked at sign-in (the provider's interaction policy,
// src/oidc/access-check.ts) and at every refresh (src/oidc/find-account.ts). A client without
// rules costs nothing (its allowed_groups come from the client cache); one with rules costs one
// indexed query.
import type { AuditRecorder, By } from '../audit/actions.js';

export type AccessContext = 'sign_in' | 'prompt_none' | 'refresh';

export interface AccessRulesDeps {
  /** The client's allowed_groups (cached: no statement). */
  allowedGroups(clientId: string): Promise<string[]>;
  /** Whether the person is in at least one of the groups (one query). */
  isMemberOfAny(userId: string, names: string[]): Promise<boolean>;
  audit: AuditRecorder;
}

export function createAccessRules({ allowedGroups, isMemberOfAny, audit }: AccessRulesDeps) {
  return {
    /** undefined when the person may use the client; otherwise the groups they are in none of. */
    async refusal(clientId: string, userId: string): Promise<string[] | undefined> {
      const allowed = await allowedGroups(clientId);
      if (allowed.length === 0) return undefined;
      return (await isMemberOfAny(userId, allowed)) ? undefined : allowed;
    },

    /** Records a refusal in the audit log. */
    denied(userId: string, clientId: string, context: AccessContext, allowed: string[], by: By): Promise<void> {
      return audit.record(by, { action: 'access.denied', target: `user:${userId}`, details: { client_id: clientId, context, allowed_groups: allowed } });
    },
  };
}

export type AccessRules = ReturnType<typeof createAccessRules>;
