// `clients:` in a configuration file. Each entry is a whole registration under a fixed client_id:
// a field left out takes its default (as with `clients create`), so the file alone says what the
// client is. The fields are the admin API's (schema.ts), with `name` for client_name and
// `public: true` for token_endpoint_auth_method none; every rule is the client service's own.
import { ValidationError } from '../errors.js';
import { credentialOf, logoutSessions, requiresPkce, rotatesRefreshTokens, usesSecret, type ClientMetadata } from '../clients/client-metadata.js';
import type { ClientView } from '../clients/client-service.js';
import { checkClientId, checkGivenSecret } from '../clients/given.js';
import { CONSOLE_CLIENT_ID } from '../clients/reserved.js';
import { CLIENT_FIELD_NAMES, parseClientRegistration, type ClientField, type ClientRegistration } from '../clients/schema.js';
import type { FieldChange, PlannedChange } from './changes.js';
import { atField, booleanAt, ConfigFileError, listAt, mapAt, refuseUnknownKeys, stringAt, willExist, type Entry } from './file-errors.js';
import { resolveSecret, type ResolvedSecret } from './secret-ref.js';
import type { Section } from './section.js';

/** Derived from the others (redirect URIs, grants): neither declared nor compared. */
const DERIVED: readonly ClientField[] = ['application_type', 'response_types'];
/** The registration fields a file declares under their own names. */
const FIELDS = CLIENT_FIELD_NAMES.filter((f) => f !== 'client_name' && !DERIVED.includes(f));
const KEYS = ['client_id', 'name', 'public', 'secret', ...FIELDS];

export interface DesiredClient {
  path: string;
  entry: Entry;
  clientId: string;
  registration: ClientRegistration;
  secret?: ResolvedSecret;
}

/** The file's key for a registration field (the service names client_name, the file name). */
const keyOf = (entry: Entry) => (field: string) =>
  field === 'client_name' ? 'name' : field === 'client_secret' ? 'secret' : field === 'token_endpoint_auth_method' && 'public' in entry ? 'public' : field;

/** The registration's fields as they apply (defaults included), to compare a file with the database. */
function pick(applied: object): Record<string, unknown> {
  return Object.fromEntries(['client_name', ...FIELDS].map((f) => [f, (applied as Record<string, unknown>)[f]]));
}

/** What a view shows (client-service.ts toView), from metadata that is not stored yet. */
function asApplied(metadata: ClientMetadata): Record<string, unknown> {
  return pick({
    ...metadata,
    ...logoutSessions(metadata),
    require_pkce: requiresPkce(metadata),
    rotate_refresh_tokens: rotatesRefreshTokens(metadata),
    require_mfa: metadata.require_mfa === true,
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function parseEntry(raw: unknown, path: string, sources: Parameters<Section<unknown>['parse']>[1]): DesiredClient {
  const entry = mapAt(raw, path);
  refuseUnknownKeys(entry, KEYS, path);
  const clientId = stringAt(entry, 'client_id', path, true);
  try {
    checkClientId(clientId);
  } catch (error) {
    if (error instanceof ValidationError) throw new ConfigFileError(`${path}.client_id`, error.message);
    throw error;
  }
  const name = stringAt(entry, 'name', path, true);
  const isPublic = booleanAt(entry, 'public', path);
  const method = entry.token_endpoint_auth_method;
  if (isPublic === true && method !== undefined && method !== 'none') {
    throw new ConfigFileError(`${path}.public`, `a public client authenticates with none, not ${String(method)}: leave token_endpoint_auth_method out`);
  }
  if (isPublic === false && method === 'none') throw new ConfigFileError(`${path}.public`, 'is false but token_endpoint_auth_method is none');
  const fields = Object.fromEntries(FIELDS.filter((f) => entry[f] !== undefined && entry[f] !== null).map((f) => [f, entry[f]]));
  let registration: ClientRegistration;
  try {
    // The method is always explicit, so that an update from the file never keeps an old one.
    registration = parseClientRegistration({
      ...fields,
      client_name: name,
      token_endpoint_auth_method: isPublic ? 'none' : (method ?? 'client_secret_basic'),
    });
  } catch (error) {
    if (error instanceof ValidationError) throw atField(error, entry, path, keyOf(entry));
    throw error;
  }
  const secret = entry.secret === undefined || entry.secret === null ? undefined : resolveSecret(entry.secret, `${path}.secret`, sources);
  if (secret && !usesSecret(registration.token_endpoint_auth_method!)) {
    throw new ConfigFileError(`${path}.secret`, `a ${registration.token_endpoint_auth_method === 'none' ? 'public' : 'private_key_jwt'} client has no secret`);
  }
  if (secret) {
    try {
      checkGivenSecret(secret.value);
    } catch (error) {
      if (error instanceof ValidationError) throw new ConfigFileError(`${path}.secret`, `${error.message} (it comes from ${secret.source})`);
      throw error;
    }
  }
  return { path, entry, clientId, registration, ...(secret ? { secret } : {}) };
}

/** The environment variable export names for a client's secret: CLIENT_<ID>_SECRET. */
export const secretVariable = (clientId: string) => `CLIENT_${clientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SECRET`;

export const clientsSection: Section<DesiredClient[]> = {
  key: 'clients',

  parse(raw, sources) {
    const seen = new Map<string, string>();
    return listAt(raw, 'clients').map((item, i) => {
      const desired = parseEntry(item, `clients[${i}]`, sources);
      const earlier = seen.get(desired.clientId);
      if (earlier) throw new ConfigFileError(`clients[${i}].client_id`, `${desired.clientId} is declared twice (also ${earlier})`);
      seen.set(desired.clientId, `clients[${i}]`);
      return desired;
    });
  },

  async plan(desired, { clients, groups }, options) {
    const { prune } = options;
    // The console's own client is Sesame's: never declared, never compared, never pruned.
    const current = new Map((await clients.list()).filter((c) => c.client_id !== CONSOLE_CLIENT_ID).map((c) => [c.client_id, c]));
    const groupsNow = desired.some((d) => d.registration.allowed_groups?.length) ? new Set((await groups.list()).map((g) => g.name)) : new Set();
    const planned: PlannedChange[] = [];
    for (const d of desired) {
      // The client service checks this too, but only when the change is made: groups: may create them first.
      for (const [i, name] of (d.registration.allowed_groups ?? []).entries()) {
        if (willExist(name, 'groups', groupsNow.has(name), options)) continue;
        const pruned = groupsNow.has(name) ? ': --prune deletes it, as groups: does not declare it' : '';
        throw new ConfigFileError(`${d.path}.allowed_groups[${i}]`, `no group named ${name}${pruned} (declare it under groups: or create it first)`);
      }
      let metadata: ClientMetadata;
      try {
        metadata = clients.preview(d.registration);
      } catch (error) {
        if (error instanceof ValidationError) throw atField(error, d.entry, d.path, keyOf(d.entry));
        throw error;
      }
      const wanted = asApplied(metadata);
      const now = current.get(d.clientId);
      const label = (f: string) => (f === 'client_name' ? 'name' : f);
      if (!now) {
        const fields: FieldChange[] = Object.entries(wanted)
          .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
          .map(([f, v]) => ({ field: label(f), to: v }));
        if (usesSecret(metadata.token_endpoint_auth_method)) {
          fields.push({ field: 'secret', note: d.secret ? `from ${d.secret.source}` : 'generated (shown once)' });
        }
        planned.push({
          change: { action: 'create', kind: 'client', id: d.clientId, fields },
          async run(by) {
            const created = await clients.create(d.registration, by, { clientId: d.clientId, ...(d.secret ? { secret: d.secret.value } : {}) });
            return !d.secret && created.client_secret ? { client_secret: created.client_secret } : undefined;
          },
        });
        continue;
      }
      if (credentialOf(now.token_endpoint_auth_method) !== credentialOf(metadata.token_endpoint_auth_method)) {
        const kind = (m: string) => (m === 'none' ? 'public' : m === 'private_key_jwt' ? 'a private_key_jwt client' : 'confidential with a secret');
        throw new ConfigFileError(
          `${d.path}.${keyOf(d.entry)('token_endpoint_auth_method')}`,
          `client ${d.clientId} is ${kind(now.token_endpoint_auth_method)} and cannot become ${kind(metadata.token_endpoint_auth_method)}; declare it under a new client_id (--prune removes the old one)`,
        );
      }
      const had = pick(now);
      const fields: FieldChange[] = Object.keys(wanted)
        .filter((f) => !same(had[f], wanted[f]))
        .map((f) => ({ field: label(f), from: had[f], to: wanted[f] }));
      const newSecret = d.secret && !(await clients.secretIs(d.clientId, d.secret.value)) ? d.secret : undefined;
      if (newSecret) fields.push({ field: 'secret', note: `changed (from ${newSecret.source})` });
      if (fields.length === 0) continue;
      const metadataChanged = fields.some((f) => f.field !== 'secret');
      planned.push({
        change: { action: 'update', kind: 'client', id: d.clientId, fields },
        async run(by) {
          if (metadataChanged) {
            // Every field the file leaves out goes back to its default (null removes it).
            const changes = Object.fromEntries(FIELDS.map((f) => [f, d.registration[f] ?? null]));
            await clients.update(d.clientId, { ...changes, client_name: d.registration.client_name }, by);
          }
          if (newSecret) await clients.setSecret(d.clientId, newSecret.value, by);
        },
      });
    }
    if (prune) {
      const declared = new Set(desired.map((d) => d.clientId));
      for (const [id, now] of current) {
        if (declared.has(id)) continue;
        planned.push({
          change: { action: 'delete', kind: 'client', id, fields: [{ field: 'name', from: now.client_name }] },
          run: (by) => clients.delete(id, by),
        });
      }
    }
    return planned;
  },

  async export({ clients }) {
    const comments = new Map<number, { key: string; comment: string }>();
    const entries = (await clients.list())
      .filter((c) => c.client_id !== CONSOLE_CLIENT_ID)
      .map((client, i) => {
        const entry: Record<string, unknown> = { client_id: client.client_id, name: client.client_name };
        const method = client.token_endpoint_auth_method;
        if (method === 'none') entry.public = true;
        else if (method !== 'client_secret_basic') entry.token_endpoint_auth_method = method;
        for (const f of FIELDS) {
          if (f === 'token_endpoint_auth_method') continue;
          const value = exported(client, f);
          if (value !== undefined) entry[f] = value;
        }
        if (usesSecret(method)) {
          entry.secret = { env: secretVariable(client.client_id) };
          comments.set(i, { key: 'secret', comment: ` placeholder: set ${secretVariable(client.client_id)} to the client's secret (not exported)` });
        }
        return entry;
      });
    return { entries, comments };
  },
};

/** A field as the file writes it: defaults left out, so an export reads like a hand-written file. */
function exported(client: ClientView, field: ClientField): unknown {
  const value = client[field as keyof ClientView];
  switch (field) {
    case 'scope':
      // Absent in the database means no scopes; absent in a file means the default ones.
      return value ?? '';
    case 'require_pkce':
    case 'backchannel_logout_session_required':
    case 'frontchannel_logout_session_required':
      return value === false ? false : undefined;
    case 'rotate_refresh_tokens':
      return value === true && client.token_endpoint_auth_method !== 'none' ? true : undefined;
    case 'require_mfa':
    case 'resource_server':
      return value === true ? true : undefined;
    default:
      return Array.isArray(value) && value.length === 0 ? undefined : value;
  }
}
