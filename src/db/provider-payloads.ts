// What Sesame reads inside the payloads oidc-provider stores. Their shapes are oidc-provider's
// own (each model's IN_PAYLOAD in lib/models/*.js) and not part of its typings, so they are
// declared here, once, with the few readers Sesame needs: whose a row is (the repository's
// lookup by account), a session's uid, sign-in time, apps and grants, a grant's app, scope and
// resources (the user-sessions service), and the Interaction fields the adapter takes out of
// stored rows (payload-at-rest.ts). An oidc-provider upgrade that moves a field breaks here.
// The payloads are JSON Sesame did not write, so every reader checks types rather than trusts them.

/** A payload as oidc-provider hands it over (and expects it back): a JSON object. */
export type Payload = Record<string, unknown>;

/** A Session (lib/models/session.js), as far as Sesame reads it. */
export interface SessionPayload {
  /** The session's public name (its id is the cookie value). */
  uid?: string;
  accountId?: string;
  /** When the person last signed in, in seconds since the epoch. */
  loginTs?: number;
  /** Per client_id: the grant that app holds in this session. */
  authorizations?: Record<string, { grantId?: string }>;
}

/** A Grant (lib/models/grant.js), as far as Sesame reads it. */
export interface GrantPayload {
  accountId?: string;
  clientId?: string;
  openid?: { scope?: string };
  /** Per resource indicator: the scope granted for it. */
  resources?: Record<string, string>;
}

/** The Interaction fields that carry a bearer secret (lib/models/interaction.js). */
export interface InteractionPayload {
  /** The browser session the interaction belongs to; `cookie` is that session's id. */
  session?: { cookie?: unknown; [field: string]: unknown };
  /** The resume URL, `<issuer>/auth/<interaction id>`. */
  returnTo?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The uid of the browser session an Interaction payload belongs to. */
export const interactionSessionUidOf = (payload: unknown): string | undefined => text(record(record(payload).session).uid);

/** The grant an Interaction payload ends with (its consent's) or extends; undefined when none yet. */
export const interactionGrantIdOf = (payload: unknown): string | undefined =>
  text(record(record(record(payload).result).consent).grantId) ?? text(record(payload).grantId);

/** The account a Session or Grant payload belongs to. */
export const accountIdOf = (payload: unknown): string | undefined => text(record(payload).accountId);

/**
 * Text every stored payload of this account contains: the adapter stores JSON.stringify's output,
 * which has no whitespace. A prefilter for the database only; accountIdOf decides.
 */
export const accountIdFragment = (accountId: string): string => `"accountId":${JSON.stringify(accountId)}`;

export interface SessionFacts {
  uid: string | undefined;
  loginAt: Date | undefined;
  /** The apps signed in through this session. */
  clientIds: string[];
  /** The grants those apps hold. */
  grantIds: string[];
}

export function readSession(payload: Payload): SessionFacts {
  const { uid, loginTs, authorizations } = payload as { [K in keyof SessionPayload]?: unknown };
  const byClient = record(authorizations);
  return {
    uid: text(uid),
    loginAt: typeof loginTs === 'number' ? new Date(loginTs * 1000) : undefined,
    clientIds: Object.keys(byClient),
    grantIds: Object.values(byClient)
      .map((authorization) => text(record(authorization).grantId))
      .filter((id): id is string => id !== undefined),
  };
}

export interface GrantFacts {
  clientId: string | undefined;
  scope: string | undefined;
  resources: Record<string, string>;
}

export function readGrant(payload: Payload): GrantFacts {
  const { clientId, openid, resources } = payload as { [K in keyof GrantPayload]?: unknown };
  return {
    clientId: text(clientId),
    scope: text(record(openid).scope),
    resources: Object.fromEntries(Object.entries(record(resources)).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
  };
}
