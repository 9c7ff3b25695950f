// `users:` in a configuration file: people, by email, created as invited (no password: they choose
// one from an invitation link, or "Forgot password?"). Never a password in the file. Unlike a
// client, a person's fields are managed only when written: a field left out is left as it is
// (a verified address stays verified), and defaults apply only when the person is created.
// `invite: true` sends the invitation mail when apply creates the person, and nothing later.
// `attributes:`, when written, is the whole set (what clients' extra_claims take claims from): a
// key not listed is removed.
import { asEmailAddress, checkName, type User } from '../accounts/account-service.js';
import { checkAttributeKey, checkAttributes, checkAttributeValue, type Attributes } from '../claims/attributes.js';
import { ValidationError } from '../errors.js';
import type { FieldChange, PlannedChange } from './changes.js';
import { booleanAt, ConfigFileError, listAt, mapAt, refuseUnknownKeys, stringAt } from './file-errors.js';
import type { Section } from './section.js';

const KEYS = ['email', 'name', 'admin', 'email_verified', 'attributes', 'invite'];

export interface DesiredUser {
  path: string;
  email: string;
  /** undefined: not managed; null: no name. */
  name?: string | null;
  admin?: boolean;
  emailVerified?: boolean;
  /** undefined: not managed; otherwise all of them. */
  attributes?: Attributes;
  invite: boolean;
}

/** Each key and value checked at its own path, then the whole (count, size). */
function parseAttributes(raw: unknown, path: string): Attributes {
  const entry = mapAt(raw ?? {}, path);
  const at = (key: string | undefined, check: () => void) => {
    try {
      check();
    } catch (error) {
      if (error instanceof ValidationError) throw new ConfigFileError(key === undefined ? path : `${path}.${key}`, error.message);
      throw error;
    }
  };
  for (const [key, value] of Object.entries(entry)) {
    at(key, () => checkAttributeKey(key));
    at(key, () => checkAttributeValue(key, value));
  }
  let attributes: Attributes = {};
  at(undefined, () => void (attributes = checkAttributes(entry)));
  return attributes;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The attribute changes that make `now` into `wanted`: a value sets, null removes. */
function attributeChanges(wanted: Attributes, now: Attributes): Record<string, Attributes[string] | null> {
  const changes: Record<string, Attributes[string] | null> = {};
  for (const [key, value] of Object.entries(wanted)) if (!sameValue(now[key], value)) changes[key] = value;
  for (const key of Object.keys(now)) if (!Object.hasOwn(wanted, key)) changes[key] = null;
  return changes;
}

function parseEntry(raw: unknown, path: string): DesiredUser {
  const entry = mapAt(raw, path);
  for (const secretish of ['password', 'password_hash']) {
    if (secretish in entry)
      throw new ConfigFileError(`${path}.${secretish}`, 'passwords never go in the file: people choose theirs (invite: true mails them a link)');
  }
  refuseUnknownKeys(entry, KEYS, path);
  const given = stringAt(entry, 'email', path, true);
  const email = asEmailAddress(given);
  if (!email) throw new ConfigFileError(`${path}.email`, `"${given}" is not a valid email address`);
  let name: string | null | undefined;
  if ('name' in entry) {
    try {
      name = checkName(entry.name === null ? null : (stringAt(entry, 'name', path) ?? null));
    } catch (error) {
      if (error instanceof ValidationError) throw new ConfigFileError(`${path}.name`, error.message);
      throw error;
    }
  }
  const admin = booleanAt(entry, 'admin', path);
  const emailVerified = booleanAt(entry, 'email_verified', path);
  const attributes = 'attributes' in entry ? parseAttributes(entry.attributes, `${path}.attributes`) : undefined;
  return {
    path,
    email,
    ...(name !== undefined ? { name } : {}),
    ...(admin !== undefined ? { admin } : {}),
    ...(emailVerified !== undefined ? { emailVerified } : {}),
    ...(attributes ? { attributes } : {}),
    invite: booleanAt(entry, 'invite', path) ?? false,
  };
}

/** The managed fields that differ, as the file names them. */
function differences(d: DesiredUser, now: User): FieldChange[] {
  const fields: FieldChange[] = [];
  if (d.name !== undefined && d.name !== now.name) fields.push({ field: 'name', from: now.name, to: d.name });
  if (d.admin !== undefined && d.admin !== now.isAdmin) fields.push({ field: 'admin', from: now.isAdmin, to: d.admin });
  if (d.emailVerified !== undefined && d.emailVerified !== now.emailVerified) {
    fields.push({ field: 'email_verified', from: now.emailVerified, to: d.emailVerified });
  }
  for (const [key, to] of Object.entries(d.attributes ? attributeChanges(d.attributes, now.attributes) : {})) {
    fields.push({ field: `attributes.${key}`, ...(key in now.attributes ? { from: now.attributes[key] } : {}), ...(to !== null ? { to } : {}) });
  }
  return fields;
}

export const usersSection: Section<DesiredUser[]> = {
  key: 'users',

  parse(raw) {
    const seen = new Map<string, string>();
    return listAt(raw, 'users').map((item, i) => {
      const desired = parseEntry(item, `users[${i}]`);
      const earlier = seen.get(desired.email);
      if (earlier) throw new ConfigFileError(`users[${i}].email`, `${desired.email} is declared twice (also ${earlier})`);
      seen.set(desired.email, `users[${i}]`);
      return desired;
    });
  },

  names: (desired) => desired.map((d) => d.email),

  async plan(desired, { accounts, invitations }, { prune }) {
    const people = await accounts.list();
    const current = new Map(people.map((u) => [u.email, u]));
    const admins = new Set(people.filter((u) => u.isAdmin && !u.disabled).map((u) => u.email));
    const adminsBefore = admins.size;
    const planned: PlannedChange[] = [];
    for (const d of desired) {
      const now = current.get(d.email);
      if (!now) {
        if (d.invite && !invitations.available) {
          throw new ConfigFileError(`${d.path}.invite`, 'mail is off (SMTP_URL is not set), so no invitation can be sent; leave invite out');
        }
        if (d.admin) admins.add(d.email);
        const fields: FieldChange[] = [
          ...(d.name ? [{ field: 'name', to: d.name }] : []),
          { field: 'admin', to: d.admin ?? false },
          { field: 'email_verified', to: d.emailVerified ?? false },
          ...Object.entries(d.attributes ?? {}).map(([key, value]) => ({ field: `attributes.${key}`, to: value })),
          ...(d.invite ? [{ field: 'invitation', note: 'mailed' }] : []),
        ];
        planned.push({
          change: { action: 'create', kind: 'user', id: d.email, fields },
          async run(by) {
            const input = { email: d.email, ...(d.name ? { name: d.name } : {}), ...(d.admin !== undefined ? { isAdmin: d.admin } : {}) };
            const user = d.invite ? (await invitations.invite(input, by)).user : await accounts.invite(input, by);
            const attributes = d.attributes && Object.keys(d.attributes).length > 0 ? { attributes: d.attributes } : {};
            if (d.emailVerified || attributes.attributes)
              await accounts.update(user.id, { ...(d.emailVerified ? { emailVerified: true } : {}), ...attributes }, by);
          },
        });
        continue;
      }
      const fields = differences(d, now);
      if (fields.length === 0) continue;
      if (d.admin === false) admins.delete(d.email);
      if (d.admin === true && !now.disabled) admins.add(d.email);
      planned.push({
        change: { action: 'update', kind: 'user', id: d.email, fields },
        async run(by) {
          await accounts.update(
            now.id,
            {
              ...(d.name !== undefined ? { name: d.name } : {}),
              ...(d.admin !== undefined ? { isAdmin: d.admin } : {}),
              ...(d.emailVerified !== undefined ? { emailVerified: d.emailVerified } : {}),
              ...(d.attributes ? { attributes: attributeChanges(d.attributes, now.attributes) } : {}),
            },
            by,
          );
        },
      });
    }
    if (prune) {
      const declared = new Set(desired.map((d) => d.email));
      for (const [email, now] of current) {
        if (declared.has(email)) continue;
        admins.delete(email);
        planned.push({
          change: { action: 'delete', kind: 'user', id: email, fields: now.isAdmin ? [{ field: 'admin', from: true }] : [] },
          run: async (by) => void (await accounts.deleteById(now.id, by)),
        });
      }
    }
    // Nobody could manage Sesame any more (the console needs an admin): refuse rather than lock everyone out.
    if (adminsBefore > 0 && admins.size === 0) {
      throw new ConfigFileError('users', 'this would leave no admin (prune or admin: false); keep at least one person with admin: true');
    }
    return planned;
  },

  async export({ accounts }) {
    const entries = (await accounts.list()).map((u) => ({
      email: u.email,
      ...(u.name ? { name: u.name } : {}),
      admin: u.isAdmin,
      email_verified: u.emailVerified,
      ...(Object.keys(u.attributes).length > 0 ? { attributes: u.attributes } : {}),
    }));
    return { entries };
  },
};
