// Relying parties: registered by the CLI, the admin API, the console and dynamic registration (all
// in RFC 7591 names: schema.ts), read by the provider on every request through `findForProvider`.
// Secrets are random, shown once, and sealed at rest.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ChangeAnnouncer } from '../../db/change-feed.js';
import type { ClientRecord, ClientRepository } from '../../db/client-repository.js';
import { UniqueViolation } from '../../db/user-repository.js';
import { SYSTEM, type AuditRecorder, type By, type ClientTarget } from '../audit/actions.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { ReadThroughCache } from '../read-through-cache.js';
import { includedGroups, renameIncluded, type GroupsClaim } from '../claims/groups-claim.js';
import type { ExtraClaims } from '../claims/extra-claims.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { parseDynamicRegistration, REGISTRATION_FIELDS } from './registration.js';
import {
  ADMIN_SCOPE,
  buildClientMetadata,
  credentialOf,
  logoutSessions,
  PROVIDER_SCOPES,
  requiresPkce,
  rotatesRefreshTokens,
  usesSecret,
  type ClientMetadata,
  type ClientPolicy,
} from './client-metadata.js';
import { consoleClientRegistration } from './console-client.js';
import { CLIENT_FIELD_NAMES, parseClientChanges, parseClientRegistration, type AuthMethod, type ClientChanges, type ClientRegistration } from './schema.js';
import { changedFields, clientSummary } from './client-summary.js';
import { CONSOLE_CLIENT_ID, CONSOLE_CLIENT_NAME, isReservedName } from './reserved.js';
import { checkClientId, checkGivenSecret } from './given.js';

/** A client as the CLI, the admin API and the console show it: its settings as they apply, defaults included. */
export interface ClientView extends Omit<
  ClientMetadata,
  'require_pkce' | 'rotate_refresh_tokens' | 'require_mfa' | 'backchannel_logout_session_required' | 'frontchannel_logout_session_required'
> {
  client_id: string;
  /** With a back-channel logout URI: whether the logout token carries sid (on unless turned off). */
  backchannel_logout_session_required?: boolean;
  /** With a front-channel logout URI: whether it is loaded with iss and sid (on unless turned off). */
  frontchannel_logout_session_required?: boolean;
  /** Whether its authorization requests must use PKCE (stored only when an administrator turned it off). */
  require_pkce: boolean;
  /** Whether its refresh tokens rotate (stored only for confidential clients that asked). */
  rotate_refresh_tokens: boolean;
  /** Whether every sign-in to it ends with a second factor. */
  require_mfa: boolean;
  /** Whether a secret exists; the secret itself is only ever returned by create and rotateSecret. */
  has_secret: boolean;
  created_at: string;
}

export interface ClientWithSecret extends ClientView {
  client_secret?: string;
}

const newClientId = () => randomBytes(18).toString('base64url');
const newClientSecret = () => randomBytes(32).toString('base64url');
const secretPurpose = (clientId: string) => `client-secret:${clientId}`;
const target = (clientId: string): ClientTarget => `client:${clientId}`;

function toView(record: ClientRecord): ClientView {
  const metadata = JSON.parse(record.metadata) as ClientMetadata;
  return {
    client_id: record.id,
    ...metadata,
    ...logoutSessions(metadata),
    require_pkce: requiresPkce(metadata),
    rotate_refresh_tokens: rotatesRefreshTokens(metadata),
    require_mfa: metadata.require_mfa === true,
    has_secret: record.secretEncrypted !== null,
    created_at: record.createdAt.toISOString(),
  };
}

/** The registration that gives a client exactly its stored metadata: the same fields, by name. */
function registrationOf(view: ClientView): ClientRegistration {
  const fields = Object.fromEntries(CLIENT_FIELD_NAMES.filter((f) => view[f as keyof ClientView] !== undefined).map((f) => [f, view[f as keyof ClientView]]));
  // '' keeps "no scopes" (an absent scope would bring back the default scopes).
  return { ...fields, client_name: view.client_name, scope: view.scope ?? '' };
}

export type { ClientChanges } from './schema.js';

function applyChanges(registration: ClientRegistration, changes: ClientChanges): ClientRegistration {
  const merged: Record<string, unknown> = { ...registration };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as ClientRegistration;
}

/** A registration request's metadata, checked by the shared rules, as Sesame would store it. */
function registeredMetadata(metadata: Record<string, unknown>, policy: ClientPolicy): ClientMetadata {
  return buildClientMetadata(parseDynamicRegistration(metadata), policy);
}

/** The registration fields of what oidc-provider stores (it adds its own defaults for every other field). */
function pickRegistrationFields(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(REGISTRATION_FIELDS.filter((f) => metadata[f] !== undefined && metadata[f] !== null).map((f) => [f, metadata[f]]));
}

/** Why a client cannot switch to `asked`: its secret would have to appear or vanish. */
function switchRefusal(clientId: string, method: AuthMethod, asked: AuthMethod): string {
  if (method === 'none' || asked === 'none') {
    const [was, would] = method === 'none' ? ['public', 'confidential'] : ['confidential', 'public'];
    return `client ${clientId} is ${was} and cannot become ${would}; register a new client instead`;
  }
  return method === 'private_key_jwt'
    ? `client ${clientId} authenticates with its own keys (private_key_jwt) and cannot switch to ${asked}, which needs a secret; register a new client instead`
    : `client ${clientId} authenticates with its secret (${method}) and cannot switch to private_key_jwt, which uses the client's own keys and no secret; register a new client instead`;
}

function checkSecretFor(method: AuthMethod, secret: string): void {
  if (!usesSecret(method)) {
    const what = method === 'none' ? 'a public client' : 'a private_key_jwt client (it authenticates with its own keys)';
    throw new ValidationError(`${what} has no secret`, 'client_secret');
  }
  checkGivenSecret(secret);
}

/** Sesame keeps its console's registration right itself (ensureConsole); nobody else changes it. */
function refuseConsole(clientId: string): void {
  if (clientId === CONSOLE_CLIENT_ID) {
    throw new ConflictError(`client ${CONSOLE_CLIENT_ID} is the admin console's own client; Sesame manages it and it cannot be changed or deleted`);
  }
}

/** What setting up the console's client did (recorded in the audit log already), for the caller to report. */
export interface ConsoleSetup {
  client: ClientView;
  created: boolean;
  /** Its registration differed (an older version, or ISSUER changed) and was put right. */
  repaired: boolean;
  /** Other clients that carried the console's reserved name, now deleted. */
  removed: ClientView[];
}

export const newRegisteredClientId = newClientId;
export const newRegisteredClientSecret = newClientSecret;

/** A client as requests read it: its row, and its metadata for the provider with the secret opened. */
interface CachedClient {
  record: ClientRecord;
  forProvider: Record<string, unknown>;
}

export interface ClientServiceOptions {
  /** Tells the other instances (and this one's cache) that a client changed; no-op when absent. */
  changes?: ChangeAnnouncer;
  /** Clients kept in memory (default 10,000) and for how long at most (default 5 minutes). */
  cache?: { max: number; ttlMs: number };
  /** Which of the group names a client's allowed_groups lists are no group's; absent: not checked. */
  groups?: { missing(names: string[]): Promise<string[]> };
}

const DEFAULT_CACHE = { max: 10_000, ttlMs: 5 * 60_000 };

// Every change is recorded in the audit log with `by`, who asked for it (default: the system).
export function createClientService(clients: ClientRepository, box: SecretBox, policy: ClientPolicy, audit: AuditRecorder, options: ClientServiceOptions = {}) {
  // Every token request authenticates its client: reading the row and opening its secret each time
  // was most of the cost of client_credentials (issue 11). Changes drop the entry on every instance.
  const cache = new ReadThroughCache<CachedClient>(options.cache ?? DEFAULT_CACHE);

  async function load(clientId: string): Promise<CachedClient | undefined> {
    const record = await clients.findById(clientId);
    return record ? { record, forProvider: await providerMetadata(record) } : undefined;
  }

  async function providerMetadata(record: ClientRecord): Promise<Record<string, unknown>> {
    const {
      resources: _sesameOnly,
      resource_server: _alsoSesameOnly,
      allowed_groups: _accessRules,
      extra_claims: _readByClaims,
      groups_claim: _readByGroupsClaim,
      scope,
      ...metadata
    } = JSON.parse(record.metadata) as ClientMetadata;
    const secret = record.secretEncrypted ? await box.open(record.secretEncrypted, secretPurpose(record.id)) : undefined;
    // oidc-provider knows OpenID Connect's scopes and Sesame's `admin` only; API scopes reach it
    // per resource (resourceScopes below), so they are left out of the client's `scope` here.
    const oidcScope = (scope ?? '')
      .split(' ')
      .filter((s) => PROVIDER_SCOPES.has(s))
      .join(' ');
    return {
      ...metadata,
      // Read by the provider's configuration (pkce.required, rotateRefreshToken) as they apply, defaults included.
      require_pkce: requiresPkce(metadata),
      rotate_refresh_tokens: rotatesRefreshTokens(metadata),
      // sid in the ID and logout tokens, and the front-channel iframe's iss and sid (logout-sessions.ts).
      ...logoutSessions(metadata),
      ...(oidcScope ? { scope: oidcScope } : {}),
      client_id: record.id,
      ...(secret ? { client_secret: secret } : {}),
    };
  }

  const cached = (clientId: string) => cache.get(clientId, load);

  /** Refuses allowed_groups that name no group (one query, only when it names any). */
  async function checkGroupsExist(metadata: ClientMetadata): Promise<void> {
    for (const [field, names] of [
      ['allowed_groups', metadata.allowed_groups ?? []],
      ['groups_claim', includedGroups(metadata.groups_claim)],
    ] as const) {
      if (names.length === 0 || !options.groups) continue;
      const missing = await options.groups.missing(names);
      if (missing.length > 0) {
        throw new ValidationError(`${field}: no group named ${missing.join(', ')}; create it first (sesame groups create ${missing[0]})`, field);
      }
    }
  }

  /** After a change is stored: this instance forgets the client now, the others when they hear. */
  async function changed(clientId: string): Promise<void> {
    cache.forget(clientId);
    await options.changes?.announce('clients');
  }

  return {
    /** Drops every cached client (another instance changed one). */
    forgetCached(): void {
      cache.forgetAll();
    },

    /**
     * Registers a client under a new random id with a new random secret, or (declarative
     * configuration) under the id and with the secret `given`, checked by given.ts's rules.
     */
    async create(registration: ClientRegistration, by: By = SYSTEM, given: { clientId?: string; secret?: string } = {}): Promise<ClientWithSecret> {
      const metadata = buildClientMetadata(parseClientRegistration(registration), policy);
      await checkGroupsExist(metadata);
      if (given.clientId !== undefined) checkClientId(given.clientId);
      if (given.secret !== undefined) checkSecretFor(metadata.token_endpoint_auth_method, given.secret);
      const id = given.clientId ?? newClientId();
      const secret = usesSecret(metadata.token_endpoint_auth_method) ? (given.secret ?? newClientSecret()) : undefined;
      try {
        const record = await clients.create({
          id,
          name: metadata.client_name,
          metadata: JSON.stringify(metadata),
          secretEncrypted: secret ? await box.seal(secret, secretPurpose(id)) : null,
        });
        await audit.record(by, { action: 'client.created', target: target(id), details: clientSummary(toView(record)) });
        return { ...toView(record), ...(secret ? { client_secret: secret } : {}) };
      } catch (error) {
        if (error instanceof UniqueViolation) {
          throw new ConflictError(given.clientId !== undefined ? `a client with id ${id} already exists` : 'client id collision, try again');
        }
        throw error;
      }
    },

    async list(): Promise<ClientView[]> {
      return (await clients.list()).map(toView);
    },

    /** client_id → name for the clients among `ids` that still exist, in one query (the audit page's names). */
    namesOf(ids: string[]): Promise<Map<string, string>> {
      return clients.namesOf(ids);
    },

    async get(clientId: string): Promise<ClientView> {
      const record = await clients.findById(clientId);
      if (!record) throw new NotFoundError(`no client with id ${clientId}`);
      return toView(record);
    },

    /**
     * Changes a client's registration: `changes` over what it has now, checked by the same rules
     * as `create`. The secret stays. A client may switch among the methods that use its secret
     * (client_secret_basic, client_secret_post, client_secret_jwt), but not to or from
     * private_key_jwt or none: its secret would have to appear or vanish. Register a new client for that.
     */
    async update(clientId: string, requested: ClientChanges, by: By = SYSTEM): Promise<ClientView> {
      refuseConsole(clientId);
      const changes = parseClientChanges(requested);
      const current = await this.get(clientId);
      const method = current.token_endpoint_auth_method;
      const asked = changes.token_endpoint_auth_method;
      if (asked !== undefined && asked !== null && asked !== method && credentialOf(asked) !== credentialOf(method)) {
        throw new ConflictError(switchRefusal(clientId, method, asked));
      }
      // Derived fields follow the others: an unchanged application_type or response_types would
      // contradict new redirect URIs or grants.
      const { application_type: _derived, response_types: _alsoDerived, ...kept } = registrationOf(current);
      const merged: ClientRegistration = { ...applyChanges(kept, changes), token_endpoint_auth_method: asked ?? method };
      const metadata = buildClientMetadata(merged, policy);
      if (changes.allowed_groups || changes.groups_claim) await checkGroupsExist(metadata);
      const record = await clients.update(clientId, { name: metadata.client_name, metadata: JSON.stringify(metadata) });
      if (!record) throw new NotFoundError(`no client with id ${clientId}`);
      await changed(clientId);
      const updated = toView(record);
      await audit.record(by, {
        action: 'client.updated',
        target: target(clientId),
        details: { changed: changedFields(current, updated), ...clientSummary(updated) },
      });
      return updated;
    },

    /**
     * Dynamic registration (RFC 7591) and its updates (RFC 7592), before oidc-provider sees them:
     * the request's metadata checked by the same rules as `create` (a ValidationError names the
     * field), with whatever Sesame cannot store refused. Returns the metadata the provider
     * should register, without client_id and client_secret.
     */
    validateRegistration(metadata: Record<string, unknown>): Record<string, unknown> {
      const registered = registeredMetadata(metadata, policy);
      // What the registration response echoes: the settings the provider reads, as they apply.
      return { ...registered, ...logoutSessions(registered) };
    },

    /**
     * Stores a client oidc-provider registered or updated at its registration endpoint, under the
     * id and with the secret the provider generated (sealed like every other secret). Checked
     * again here, so no registration bypasses the rules.
     */
    async saveRegistered(clientId: string, metadata: Record<string, unknown>): Promise<ClientView> {
      // The registration endpoint makes its own ids; this only guards the upsert below.
      if (clientId === CONSOLE_CLIENT_ID) throw new ValidationError(`client_id ${CONSOLE_CLIENT_ID} is reserved for Sesame's admin console`, 'client_id');
      const registered = registeredMetadata(pickRegistrationFields(metadata), policy);
      // An app's own update (RFC 7592) cannot lift the access rules an administrator gave it, nor
      // drop the groups claim an administrator configured.
      const existing = await clients.findById(clientId);
      const before: Partial<ClientMetadata> = existing ? (JSON.parse(existing.metadata) as ClientMetadata) : {};
      const kept = before.allowed_groups ?? [];
      const built: ClientMetadata = {
        ...registered,
        ...(kept.length > 0 ? { allowed_groups: kept } : {}),
        ...(before.groups_claim ? { groups_claim: before.groups_claim } : {}),
      };
      const needsSecret = usesSecret(built.token_endpoint_auth_method);
      const secret = typeof metadata.client_secret === 'string' && needsSecret ? metadata.client_secret : undefined;
      if (!secret && needsSecret) {
        throw new ValidationError(`a ${built.token_endpoint_auth_method} client needs a client_secret`, 'client_secret');
      }
      const record = await clients.upsert({
        id: clientId,
        name: built.client_name,
        metadata: JSON.stringify(built),
        secretEncrypted: secret ? await box.seal(secret, secretPurpose(clientId)) : null,
      });
      await changed(clientId);
      return toView(record);
    },

    async delete(clientId: string, by: By = SYSTEM): Promise<void> {
      const current = await this.deleteRegistered(clientId);
      await audit.record(by, { action: 'client.deleted', target: target(clientId), details: clientSummary(current) });
    },

    /**
     * Removes a client at its own request (RFC 7592 registration management). Not audited here:
     * the provider's registration_delete.success event records it, with the client as the actor.
     */
    async deleteRegistered(clientId: string): Promise<ClientView> {
      refuseConsole(clientId);
      const current = await this.get(clientId);
      if (!(await clients.delete(clientId))) throw new NotFoundError(`no client with id ${clientId}`);
      await changed(clientId);
      return current;
    },

    async rotateSecret(clientId: string, by: By = SYSTEM): Promise<ClientWithSecret> {
      const view = await this.get(clientId);
      if (!usesSecret(view.token_endpoint_auth_method)) {
        throw new ConflictError(
          view.token_endpoint_auth_method === 'none'
            ? `client ${clientId} is public and has no secret`
            : `client ${clientId} authenticates with its own keys (private_key_jwt) and has no secret; change its jwks or jwks_uri instead`,
        );
      }
      const secret = newClientSecret();
      if (!(await clients.setSecret(clientId, await box.seal(secret, secretPurpose(clientId))))) {
        throw new NotFoundError(`no client with id ${clientId}`);
      }
      await changed(clientId);
      await audit.record(by, { action: 'client.secret_rotated', target: target(clientId), details: { client_name: view.client_name } });
      return { ...view, client_secret: secret };
    },

    /** Replaces a client's secret with one the administrator holds (declarative configuration), checked like a generated one would be. */
    async setSecret(clientId: string, secret: string, by: By = SYSTEM): Promise<void> {
      const view = await this.get(clientId);
      checkSecretFor(view.token_endpoint_auth_method, secret);
      if (!(await clients.setSecret(clientId, await box.seal(secret, secretPurpose(clientId))))) {
        throw new NotFoundError(`no client with id ${clientId}`);
      }
      await changed(clientId);
      await audit.record(by, { action: 'client.secret_rotated', target: target(clientId), details: { client_name: view.client_name } });
    },

    /** Whether `secret` is the client's secret (compared in constant time; false without one). */
    async secretIs(clientId: string, secret: string): Promise<boolean> {
      const record = await clients.findById(clientId);
      if (!record?.secretEncrypted) return false;
      const stored = Buffer.from(await box.open(record.secretEncrypted, secretPurpose(clientId)));
      const candidate = Buffer.from(secret);
      return stored.length === candidate.length && timingSafeEqual(stored, candidate);
    },

    /** The metadata a registration would be stored with, checked by the same rules as `create`; nothing is stored. */
    preview(registration: ClientRegistration): ClientMetadata {
      return buildClientMetadata(parseClientRegistration(registration), policy);
    },

    /** Re-seals client secrets sealed under an older KEY_ENCRYPTION_SECRET with the current one. */
    async rewrap(): Promise<number> {
      let count = 0;
      for (const record of await clients.list()) {
        if (!record.secretEncrypted || !box.isStale(record.secretEncrypted)) continue;
        const secret = await box.open(record.secretEncrypted, secretPurpose(record.id));
        await clients.setSecret(record.id, await box.seal(secret, secretPurpose(record.id)));
        count++;
      }
      return count;
    },

    /** Full metadata with the secret opened, for oidc-provider's Client model (cached; one indexed read when not). */
    async findForProvider(clientId: string): Promise<Record<string, unknown> | undefined> {
      return (await cached(clientId))?.forProvider;
    },

    /**
     * Makes sure the console's client exists under CONSOLE_CLIENT_ID with exactly the console's
     * registration. Safe to run on several instances at once: the fixed id lets one insert win.
     * Any other client named like the console goes: earlier versions found the console's client
     * by that name, so it is either such a leftover or an impostor registered to be found.
     */
    async ensureConsole(): Promise<ConsoleSetup> {
      const metadata = JSON.stringify(buildClientMetadata(consoleClientRegistration(policy.issuer), policy, { console: true }));
      let created = false;
      let record = await clients.findById(CONSOLE_CLIENT_ID);
      if (!record) {
        try {
          record = await clients.create({ id: CONSOLE_CLIENT_ID, name: CONSOLE_CLIENT_NAME, metadata, secretEncrypted: null });
          created = true;
        } catch (error) {
          if (!(error instanceof UniqueViolation)) throw error;
          record = await clients.findById(CONSOLE_CLIENT_ID);
        }
      }
      const before = record;
      let repaired = false;
      if (!record || record.metadata !== metadata || record.secretEncrypted !== null) {
        record = await clients.upsert({ id: CONSOLE_CLIENT_ID, name: CONSOLE_CLIENT_NAME, metadata, secretEncrypted: null });
        repaired = !created;
        await changed(CONSOLE_CLIENT_ID);
      }
      const client = toView(record);
      if (created) {
        await audit.record(SYSTEM, {
          action: 'client.created',
          target: target(CONSOLE_CLIENT_ID),
          details: { ...clientSummary(client), reason: 'admin console' },
        });
      }
      if (repaired) {
        const changed = changedFields(before ? toView(before) : {}, client);
        const reason = "admin console: registration put back to the console's own";
        await audit.record(SYSTEM, { action: 'client.updated', target: target(CONSOLE_CLIENT_ID), details: { changed, ...clientSummary(client), reason } });
      }
      const removed: ClientView[] = [];
      for (const other of await clients.list()) {
        if (other.id === CONSOLE_CLIENT_ID || !isReservedName(other.name)) continue;
        // Another instance may be removing it too: only the one that deleted it records it.
        if (!(await clients.delete(other.id))) continue;
        await changed(other.id);
        removed.push(toView(other));
        const reason = `the name is reserved for the admin console, whose client is now ${CONSOLE_CLIENT_ID}`;
        await audit.record(SYSTEM, { action: 'client.deleted', target: target(other.id), details: { ...clientSummary(toView(other)), reason } });
      }
      return { client, created, repaired, removed };
    },

    /**
     * The groups whose members may use the client (allowed_groups); empty: everyone. From the
     * cache the provider's own client lookups fill, so a request costs no statement for it.
     */
    async allowedGroups(clientId: string, options: { fresh?: boolean } = {}): Promise<string[]> {
      const record = options.fresh ? await clients.findById(clientId) : (await cached(clientId))?.record;
      if (!record) return [];
      return (JSON.parse(record.metadata) as ClientMetadata).allowed_groups ?? [];
    },

    /** The clients whose allowed_groups names the group (a group they name is not deleted). */
    async namingGroup(name: string): Promise<{ client_id: string; client_name: string }[]> {
      return (await clients.list())
        .filter((record) => ((JSON.parse(record.metadata) as ClientMetadata).allowed_groups ?? []).includes(name))
        .map((record) => ({ client_id: record.id, client_name: record.name }));
    },

    /** The clients whose groups_claim includes the group by name (a group they name is not deleted). */
    async includingGroup(name: string): Promise<{ client_id: string; client_name: string }[]> {
      return (await clients.list())
        .filter((record) => includedGroups((JSON.parse(record.metadata) as ClientMetadata).groups_claim).includes(name))
        .map((record) => ({ client_id: record.id, client_name: record.name }));
    },

    /** A group renamed: every client naming it (allowed_groups, groups_claim) names it by its new name. Returns their ids. */
    async renameAllowedGroup(from: string, to: string, by: By = SYSTEM): Promise<string[]> {
      const renamed: string[] = [];
      for (const record of await clients.list()) {
        const metadata = JSON.parse(record.metadata) as ClientMetadata;
        const inAllowed = metadata.allowed_groups?.includes(from) ?? false;
        const inClaim = includedGroups(metadata.groups_claim).includes(from);
        if (!inAllowed && !inClaim) continue;
        const before = toView(record);
        const next: ClientMetadata = { ...metadata };
        if (inAllowed) next.allowed_groups = [...new Set(metadata.allowed_groups!.map((name) => (name === from ? to : name)))];
        if (inClaim) next.groups_claim = renameIncluded(metadata.groups_claim!, from, to);
        const updated = await clients.update(record.id, { name: record.name, metadata: JSON.stringify(next) });
        if (!updated) continue;
        await changed(record.id);
        const view = toView(updated);
        await audit.record(by, {
          action: 'client.updated',
          target: target(record.id),
          details: { changed: changedFields(before, view), ...clientSummary(view), reason: `group ${from} renamed to ${to}` },
        });
        renamed.push(record.id);
      }
      return renamed;
    },

    /** Whether the client is registered with Sesame's `admin` scope (an admin client); false when unknown. */
    async isAdminClient(clientId: string): Promise<boolean> {
      const record = (await cached(clientId))?.record;
      if (!record) return false;
      const { scope } = JSON.parse(record.metadata) as ClientMetadata;
      return (scope ?? '').split(' ').includes(ADMIN_SCOPE);
    },

    /** Whether the client is a resource server, which may introspect tokens issued to other clients. */
    async isResourceServer(clientId: string): Promise<boolean> {
      const record = (await cached(clientId))?.record;
      if (!record) return false;
      return (JSON.parse(record.metadata) as ClientMetadata).resource_server === true;
    },

    /** The client's extra claims (claims/extra-claims.ts), or undefined when it has none or is unknown. */
    async extraClaims(clientId: string): Promise<ExtraClaims | undefined> {
      const record = (await cached(clientId))?.record;
      if (!record) return undefined;
      return (JSON.parse(record.metadata) as ClientMetadata).extra_claims;
    },

    /** The client's groups_claim (claims/groups-claim.ts), or undefined when it has none or is unknown. */
    async groupsClaim(clientId: string): Promise<GroupsClaim | undefined> {
      const record = (await cached(clientId))?.record;
      if (!record) return undefined;
      return (JSON.parse(record.metadata) as ClientMetadata).groups_claim;
    },

    /**
     * The API scopes a client may get for `resource`, or undefined when the resource is not
     * registered for it. The API scopes are the client's registered scopes that are not OpenID
     * Connect's own (nor Sesame's `admin`).
     */
    async resourceScopes(clientId: string, resource: string): Promise<string[] | undefined> {
      const record = (await cached(clientId))?.record;
      if (!record) return undefined;
      const metadata = JSON.parse(record.metadata) as ClientMetadata;
      if (!metadata.resources?.includes(resource)) return undefined;
      return (metadata.scope ?? '').split(' ').filter((s) => s && !PROVIDER_SCOPES.has(s));
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
