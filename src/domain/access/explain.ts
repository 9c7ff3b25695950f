// Explain access: whether a person may use a client and by which rule, and the claims each of the
// ID token, userinfo and access token would carry. Built from what the provider itself calls (the
// access rules of domain/groups/access.ts, the claim sources of domain/claims/app-claims.ts, the
// standard claims per scope) so that the explanation cannot drift from what is issued.
import { CLAIMS_BY_SCOPE, type User } from '../accounts/account-service.js';
import type { ClaimSource } from '../claims/app-claims.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AccessRules } from '../groups/access.js';

export type AccessRule =
  | { rule: 'everyone' }
  | { rule: 'group'; groups: string[] }
  | { rule: 'not_in_groups'; allowed_groups: string[] }
  | { rule: 'disabled' }
  | { rule: 'signup_pending' };

export interface AccessExplanation {
  user: { sub: string; email: string };
  client: { client_id: string; client_name: string };
  /** The scopes asked for that the client may be granted (the others are dropped, as at sign-in). */
  scopes: string[];
  allowed: boolean;
  reason: AccessRule;
  /** One line saying the same. */
  summary: string;
  /** What else matters: a person without a password yet (invited) cannot sign in with one. */
  notes: string[];
  /** What each would carry (none when not allowed); iat, exp, nonce, auth_time, acr, amr and the like come from the sign-in itself. */
  claims: { id_token: Record<string, unknown>; userinfo: Record<string, unknown>; access_token: Record<string, unknown> } | null;
}

export interface ExplainDeps {
  accounts: {
    findByEmail(email: string): Promise<User | undefined>;
    standing(id: string): Promise<{ disabled: boolean; signupPending: boolean; hasPassword: boolean } | undefined>;
  };
  clients: {
    get(clientId: string): Promise<{ client_id: string; client_name: string; scope?: string | undefined; allowed_groups?: string[] | undefined }>;
  };
  access: AccessRules;
  groupsOf(userId: string): Promise<string[]>;
  claims: ClaimSource;
}

const DEFAULT_SCOPE = 'openid profile email';

/** The standard claims the provider's findAccount gives for these scopes (find-account.ts, configuration.ts). */
function standardClaims(user: User, scopes: ReadonlySet<string>): Record<string, unknown> {
  const all: Record<string, unknown> = { sub: user.id, email: user.email, email_verified: user.emailVerified, ...(user.name ? { name: user.name } : {}) };
  const released = new Set<string>(Object.entries(CLAIMS_BY_SCOPE).flatMap(([scope, names]) => (scopes.has(scope) ? [...names] : [])));
  return Object.fromEntries(Object.entries(all).filter(([name]) => released.has(name)));
}

export function createAccessExplainer(deps: ExplainDeps) {
  return {
    async explain(email: string, clientId: string, scope: string = DEFAULT_SCOPE): Promise<AccessExplanation> {
      const user = await deps.accounts.findByEmail(email);
      if (!user) throw new NotFoundError(`no user with email ${email}`);
      const client = await deps.clients.get(clientId);
      const asked = scope.split(/\s+/).filter(Boolean);
      if (!asked.includes('openid')) throw new ValidationError('scope must include openid', 'scope');
      // A client registered with a scope is granted no other (oidc-provider drops or refuses the rest).
      const registered = client.scope ? new Set(client.scope.split(' ')) : undefined;
      const scopes = asked.filter((s) => !registered || registered.has(s));
      const standing = (await deps.accounts.standing(user.id))!;
      const base = { user: { sub: user.id, email: user.email }, client: { client_id: client.client_id, client_name: client.client_name }, scopes };
      const notes = standing.hasPassword ? [] : [`${user.email} has no password yet (invited, or passkeys only)`];
      const refused = (reason: AccessRule, summary: string): AccessExplanation => ({ ...base, allowed: false, reason, summary, notes, claims: null });
      if (standing.disabled) return refused({ rule: 'disabled' }, `${user.email} is disabled: no sign-in, no tokens`);
      if (standing.signupPending) return refused({ rule: 'signup_pending' }, `${user.email} has not confirmed their sign-up yet`);
      // The same rule the provider asks at sign-in and at every refresh.
      const refusal = await deps.access.refusal(client.client_id, user.id);
      if (refusal) {
        return refused({ rule: 'not_in_groups', allowed_groups: refusal }, `refused: ${user.email} is not in any of ${refusal.join(', ')}`);
      }
      const allowedGroups = client.allowed_groups ?? [];
      let reason: AccessRule;
      let summary: string;
      if (allowedGroups.length === 0) {
        reason = { rule: 'everyone' };
        summary = 'allowed: the client has no access rule (everyone may use it)';
      } else {
        const via = (await deps.groupsOf(user.id)).filter((name) => allowedGroups.includes(name));
        reason = { rule: 'group', groups: via };
        summary = `allowed via group ${via.join(', ')}`;
      }
      const granted = new Set(scopes);
      const app = await deps.claims(user, client.client_id, granted);
      const standard = standardClaims(user, granted);
      // ID tokens and userinfo: the standard claims of the granted scopes and the app's (conformIdTokenClaims is off);
      // a JWT access token (for a resource): the app's claims beside its own sub, client_id and scope.
      const identity = { ...app, ...standard };
      return {
        ...base,
        allowed: true,
        reason,
        summary,
        notes,
        claims: { id_token: identity, userinfo: identity, access_token: { sub: user.id, client_id: client.client_id, ...app } },
      };
    },
  };
}

export type AccessExplainer = ReturnType<typeof createAccessExplainer>;
