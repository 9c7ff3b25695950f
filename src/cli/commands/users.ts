// sesame users create | update | list | delete | disable | enable | set-password | unlock | factors | reset-mfa
import { normalizeEmail, type AccountService, type User } from '../../domain/accounts/account-service.js';
import { NotFoundError } from '../../domain/errors.js';
import { isPlainText } from '../../domain/text.js';
import { checkAttributeKey, parseAttributeAssignment, type AttributeChanges } from '../../domain/claims/attributes.js';
import { flag, optionalString, requiredString, strings, UsageError, type CliIo, type Command, type ParsedArgs } from '../command.js';
import { fields, table, when } from '../output.js';

/** The JSON shape of a user: the OIDC subject and claims, never the password hash. */
function userJson(user: User) {
  return {
    sub: user.id,
    email: user.email,
    name: user.name,
    email_verified: user.emailVerified,
    is_admin: user.isAdmin,
    disabled: user.disabled,
    attributes: user.attributes,
    created_at: user.createdAt.toISOString(),
  };
}

/** The user an EMAIL argument names, or the same not-found (exit 2) every command gives. */
async function userByEmail(accounts: Pick<AccountService, 'findByEmail'>, email: string): Promise<User> {
  const found = await accounts.findByEmail(email);
  if (!found) throw new NotFoundError(`no user with email ${isPlainText(email) ? normalizeEmail(email) : '(not a valid email)'}`);
  return found;
}

async function readPassword(args: ParsedArgs, io: CliIo): Promise<string> {
  const fromStdin = flag(args, 'password-stdin');
  const given = optionalString(args, 'password');
  if (fromStdin && given !== undefined) throw new UsageError(`${args.command}: use either --password or --password-stdin, not both`);
  if (given !== undefined) return given;
  if (!fromStdin) throw new UsageError(`${args.command} needs --password or --password-stdin`);
  if (!io.stdin) throw new UsageError(`${args.command}: --password-stdin needs standard input`);
  // `echo secret | ...` and a file ending in a newline both mean the password without it.
  const password = (await io.stdin()).replace(/\r?\n$/, '');
  if (password === '') throw new UsageError(`${args.command}: --password-stdin read an empty password`);
  return password;
}

const create: Command = {
  name: 'users create',
  synopsis: 'users create --email E (--password P | --password-stdin) [--name N] [--email-verified] [--admin]',
  summary: 'add a person who can sign in (--admin: who may also use the admin console and API)',
  help: [
    ['--email E', 'sign-in email (stored lower-case, unique)'],
    ['--password P', 'at least 8 characters; note that it lands in your shell history'],
    ['--password-stdin', 'read the password from standard input instead (one trailing'],
    ['', 'newline is removed):'],
    ['', '  printf %s "$PASSWORD" | sesame users create --email E --password-stdin'],
    ['--name N', 'display name (the `name` claim)'],
    ['--email-verified', 'the email address is known to be theirs (the `email_verified`'],
    ['', 'claim; default false)'],
    ['--admin', 'may use the admin console and API (bootstraps the first admin)'],
  ],
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    name: { type: 'string' },
    'email-verified': { type: 'boolean' },
    admin: { type: 'boolean' },
  },
  positionals: [],
  async prepare(args, io) {
    const email = requiredString(args, 'email');
    const name = optionalString(args, 'name');
    const password = await readPassword(args, io);
    const isAdmin = flag(args, 'admin');
    const emailVerified = flag(args, 'email-verified');
    return async (ctx) => {
      const { accounts } = await ctx.container();
      const user = await accounts.create({ email, password, isAdmin, emailVerified, ...(name !== undefined ? { name } : {}) }, ctx.by);
      return { json: userJson(user), human: [`created ${user.isAdmin ? 'admin ' : ''}user ${user.email} (sub ${user.id})`] };
    };
  },
};

/** `--X` as true, `--no-X` as false, neither as undefined; both is bad input. */
function toggle(args: ParsedArgs, name: string): boolean | undefined {
  const on = args.values[name] !== undefined;
  const off = args.values[`no-${name}`] !== undefined;
  if (on && off) throw new UsageError(`${args.command}: --${name} and --no-${name} contradict each other`);
  return on ? flag(args, name) : off ? !flag(args, `no-${name}`) : undefined;
}

/** --attribute and --remove-attribute as a change (checked now: a bad one is exit 2); undefined when neither. */
function attributeChanges(args: ParsedArgs): AttributeChanges | undefined {
  const set = strings(args, 'attribute');
  const removed = strings(args, 'remove-attribute');
  if (set.length === 0 && removed.length === 0) return undefined;
  const changes: AttributeChanges = {};
  for (const key of removed) changes[checkAttributeKey(key)] = null;
  for (const text of set) {
    const [key, value] = parseAttributeAssignment(text);
    if (Object.hasOwn(changes, key)) throw new UsageError(`${args.command}: attribute ${key} is given more than once`);
    changes[key] = value;
  }
  return changes;
}

const update: Command = {
  name: 'users update',
  synopsis: [
    'users update EMAIL [--name N] [--email NEW] [--email-verified | --no-email-verified] [--admin | --no-admin]',
    '                   [--attribute KEY=TEXT | --attribute KEY:=JSON ...] [--remove-attribute KEY ...]',
  ].join('\n'),
  summary: "change a person's name, email, email_verified, admin role or attributes (the options given; the rest stays)",
  help: [
    ['--name N', 'display name (the `name` claim)'],
    ['--email NEW', 'a new sign-in email (stored lower-case; refused if another user has it)'],
    ['--email-verified', 'the email address is known to be theirs (`email_verified` true)'],
    ['--no-email-verified', '`email_verified` false'],
    ['--admin', 'may use the admin console and API'],
    ['--no-admin', 'no longer may'],
    ['--attribute KEY=TEXT', 'sets an attribute (what per-app extra claims are taken from),'],
    ['', 'e.g. --attribute grafana_role=Admin; KEY:=JSON for a number,'],
    ['', 'true/false or a list: --attribute \'teams:=["ops","dev"]\'; repeatable'],
    ['--remove-attribute KEY', 'removes an attribute; repeatable'],
  ],
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    'email-verified': { type: 'boolean' },
    'no-email-verified': { type: 'boolean' },
    admin: { type: 'boolean' },
    'no-admin': { type: 'boolean' },
    attribute: { type: 'string', multiple: true },
    'remove-attribute': { type: 'string', multiple: true },
  },
  positionals: ['EMAIL'],
  prepare(args) {
    const email = args.positionals[0]!;
    const name = optionalString(args, 'name');
    const newEmail = optionalString(args, 'email');
    if (newEmail !== undefined && newEmail.trim() === '') throw new UsageError(`${args.command}: --email must not be empty`);
    const emailVerified = toggle(args, 'email-verified');
    const isAdmin = toggle(args, 'admin');
    const attributes = attributeChanges(args);
    if (name === undefined && newEmail === undefined && emailVerified === undefined && isAdmin === undefined && attributes === undefined) {
      throw new UsageError(`${args.command}: nothing to change (see sesame ${args.command} --help)`);
    }
    return async (ctx) => {
      const { accounts } = await ctx.container();
      const found = await userByEmail(accounts, email);
      const user = await accounts.update(
        found.id,
        {
          ...(name !== undefined ? { name } : {}),
          ...(newEmail !== undefined ? { email: newEmail } : {}),
          ...(emailVerified !== undefined ? { emailVerified } : {}),
          ...(isAdmin !== undefined ? { isAdmin } : {}),
          ...(attributes !== undefined ? { attributes } : {}),
        },
        ctx.by,
      );
      return { json: userJson(user), human: [`updated user ${user.email} (sub ${user.id})`] };
    };
  },
};

const list: Command = {
  name: 'users list',
  synopsis: 'users list',
  summary: 'list users with their state (admin, email verified, disabled, locked)',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const { accounts, signInThrottle } = await ctx.container();
    const users = await accounts.list();
    // Locked: too many wrong passwords (the sign-in throttle's lockout, which `users unlock` lifts).
    const locked = await Promise.all(users.map(async (u) => (await signInThrottle.accountLockedFor(u.email)) > 0));
    const state = (u: User, i: number) => (u.disabled ? 'disabled' : locked[i] ? 'locked' : 'active');
    return {
      json: users.map((u, i) => ({ ...userJson(u), locked: locked[i]! })),
      human: users.length
        ? table(
            ['email', 'name', 'sub', 'created', 'admin', 'verified', 'state'],
            users.map((u, i) => [u.email, u.name ?? '-', u.id, when(u.createdAt), u.isAdmin ? 'yes' : '-', u.emailVerified ? 'yes' : '-', state(u, i)]),
          )
        : ['no users yet (add one with: sesame users create --email E --password-stdin)'],
    };
  },
};

const remove: Command = {
  name: 'users delete',
  synopsis: 'users delete EMAIL',
  summary: 'delete a user',
  help: [],
  options: {},
  positionals: ['EMAIL'],
  prepare: (args) => {
    const email = args.positionals[0]!;
    return async (ctx) => {
      const { accounts } = await ctx.container();
      const revoked = await accounts.delete(email, ctx.by);
      const normalized = normalizeEmail(email);
      return {
        json: { email: normalized, deleted: true, ...revoked },
        human: [`deleted user ${normalized}; ended ${revoked.revoked_sessions} sessions and ${revoked.revoked_grants} grants`],
      };
    };
  },
};

const unlock: Command = {
  name: 'users unlock',
  synopsis: 'users unlock EMAIL',
  summary: 'lift a sign-in lockout (too many wrong passwords) and forget the failures',
  help: [],
  options: {},
  positionals: ['EMAIL'],
  prepare: (args) => {
    const email = args.positionals[0]!;
    return async (ctx) => {
      const { accounts } = await ctx.container();
      const found = await userByEmail(accounts, email);
      const { user, wasLocked } = await accounts.unlock(found.id, ctx.by);
      return {
        json: { email: user.email, sub: user.id, was_locked: wasLocked },
        human: [wasLocked ? `unlocked ${user.email}` : `${user.email} was not locked; its failed attempts are forgotten`],
      };
    };
  },
};

const factors: Command = {
  name: 'users factors',
  synopsis: 'users factors EMAIL',
  summary: "show a person's second factors: authenticator app, recovery codes left, passkeys",
  help: [],
  options: {},
  positionals: ['EMAIL'],
  prepare: (args) => {
    const email = args.positionals[0]!;
    return async (ctx) => {
      const { accounts, secondFactors } = await ctx.container();
      const user = await userByEmail(accounts, email);
      const f = await secondFactors.overview(user.id);
      const passkeys = f.passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        synced: p.deviceType === 'multiDevice',
        created_at: p.createdAt.toISOString(),
        last_used_at: p.lastUsedAt?.toISOString() ?? null,
      }));
      return {
        json: {
          email: user.email,
          sub: user.id,
          totp: f.totp ? { confirmed_at: f.totp.confirmedAt.toISOString() } : null,
          totp_enrolling: f.enrolling,
          recovery_codes_left: f.recoveryCodesLeft,
          passkeys,
        },
        human: [
          ...fields([
            ['email', user.email],
            ['authenticator app', f.totp ? `on since ${when(f.totp.confirmedAt)}` : f.enrolling ? 'being added (not confirmed)' : 'off'],
            ['recovery codes left', f.totp ? String(f.recoveryCodesLeft) : '-'],
            ['passkeys', String(passkeys.length)],
          ]),
          ...(passkeys.length > 0
            ? [
                '',
                ...table(
                  ['name', 'kind', 'added', 'last used'],
                  passkeys.map((p) => [p.name, p.synced ? 'synced' : 'one device', when(p.created_at), when(p.last_used_at)]),
                ),
              ]
            : []),
        ],
      };
    };
  },
};

const resetMfa: Command = {
  name: 'users reset-mfa',
  synopsis: 'users reset-mfa EMAIL',
  summary: "remove a person's second factors (authenticator app, recovery codes, passkeys): they sign in with the password alone",
  help: [],
  options: {},
  positionals: ['EMAIL'],
  prepare: (args) => {
    const email = args.positionals[0]!;
    return async (ctx) => {
      const { accounts, secondFactors } = await ctx.container();
      const user = await userByEmail(accounts, email);
      const removed = await secondFactors.reset(user.id, ctx.by);
      const what = [
        removed.totp ? 'the authenticator app' : '',
        removed.recoveryCodes > 0 ? `${removed.recoveryCodes} recovery codes` : '',
        removed.passkeys.length > 0 ? `${removed.passkeys.length} passkey${removed.passkeys.length === 1 ? '' : 's'}` : '',
      ].filter(Boolean);
      return {
        json: { email: user.email, sub: user.id, totp: removed.totp, recovery_codes: removed.recoveryCodes, passkeys: removed.passkeys },
        human: [what.length > 0 ? `removed ${what.join(', ')} of ${user.email}` : `${user.email} had no second factors`],
      };
    };
  },
};

/** `users disable` and `users enable`: the same service call the console and the admin API make. */
function disabling(disabled: boolean): Command {
  const verb = disabled ? 'disable' : 'enable';
  return {
    name: `users ${verb}`,
    synopsis: `users ${verb} EMAIL`,
    summary: disabled
      ? 'stop a person signing in, and end their sessions and grants (their apps lose their tokens at once)'
      : 'let a disabled person sign in again',
    help: [],
    options: {},
    positionals: ['EMAIL'],
    prepare: (args) => {
      const email = args.positionals[0]!;
      return async (ctx) => {
        const { accounts } = await ctx.container();
        const found = await userByEmail(accounts, email);
        const { user, revoked } = await accounts.setDisabled(found.id, disabled, ctx.by);
        return {
          json: { ...userJson(user), ...(disabled ? revoked : {}) },
          human: [
            disabled ? `disabled ${user.email}; ended ${revoked.revoked_sessions} sessions and ${revoked.revoked_grants} grants` : `enabled ${user.email}`,
          ],
        };
      };
    },
  };
}

const setPassword: Command = {
  name: 'users set-password',
  synopsis: 'users set-password EMAIL',
  summary: "set a person's password, read from standard input (their sessions stay; end them with sessions revoke)",
  help: [
    ['', 'The password is read from standard input (one trailing newline is removed):'],
    ['', '  printf %s "$PASSWORD" | sesame users set-password E'],
  ],
  options: {},
  positionals: ['EMAIL'],
  async prepare(args, io) {
    const email = args.positionals[0]!;
    // Only from stdin: a password on the command line lands in the shell history.
    if (!io.stdin) throw new UsageError(`${args.command} reads the password from standard input`);
    const password = (await io.stdin()).replace(/\r?\n$/, '');
    if (password === '') throw new UsageError(`${args.command}: standard input held an empty password`);
    return async (ctx) => {
      const { accounts } = await ctx.container();
      const found = await userByEmail(accounts, email);
      await accounts.setPassword(found.id, password, ctx.by);
      return { json: { email: found.email, sub: found.id, password_set: true }, human: [`set the password of ${found.email}`] };
    };
  },
};

const invite: Command = {
  name: 'users invite',
  synopsis: 'users invite --email E [--name N] [--admin] [--locale en|de]',
  summary: 'add a person without a password and mail them a link (7 days) to choose one; again: a new link',
  help: [
    ['--email E', 'their email; the invitation goes there (needs mail: SMTP_URL, or the'],
    ['', 'development outbox). For someone invited who has no password yet, sends a new link'],
    ['--name N', 'display name (the `name` claim)'],
    ['--admin', 'may use the admin console and API once they accept'],
    ['--locale L', 'language of the mail: en (default) or de'],
  ],
  options: { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' }, locale: { type: 'string' } },
  positionals: [],
  prepare(args) {
    const email = requiredString(args, 'email');
    const name = optionalString(args, 'name');
    const locale = optionalString(args, 'locale');
    if (locale !== undefined && !['en', 'de'].includes(locale)) throw new UsageError(`${args.command}: --locale must be en or de`);
    const isAdmin = flag(args, 'admin');
    return async (ctx) => {
      const { invitations } = await ctx.container();
      const input = { email, isAdmin, ...(name !== undefined ? { name } : {}), ...(locale !== undefined ? { locale } : {}) };
      const { user, expiresAt, resent } = await invitations.invite(input, ctx.by, { resendIfPending: true });
      return {
        json: { ...userJson(user), invitation_expires_at: expiresAt.toISOString(), resent },
        human: [`${resent ? 'sent a new invitation to' : 'invited'} ${user.email} (sub ${user.id}); the link works until ${when(expiresAt)}`],
      };
    };
  },
};

export const userCommands: Command[] = [create, update, list, remove, disabling(true), disabling(false), setPassword, unlock, factors, resetMfa, invite];
