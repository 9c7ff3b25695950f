// sesame sessions list | revoke: a person's browser sessions and grants (connected apps), and
// ending them, through the same user-sessions service as the admin API and the console. A session
// is named by its uid, never its id: the id is the browser's cookie value.
import { normalizeEmail, type User } from '../../domain/accounts/account-service.js';
import type { UserGrant, UserSession } from '../../domain/accounts/user-sessions.js';
import { NotFoundError } from '../../domain/errors.js';
import { isPlainText } from '../../domain/text.js';
import type { Container } from '../../container.js';
import { flag, optionalString, requiredString, UsageError, type Command } from '../command.js';
import { table, when } from '../output.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

const sessionJson = (s: UserSession) => ({
  uid: s.uid,
  login_at: iso(s.loginAt),
  created_at: s.createdAt.toISOString(),
  expires_at: iso(s.expiresAt),
  client_ids: s.clientIds,
});

const grantJson = (g: UserGrant) => ({
  grant_id: g.grantId,
  client_id: g.clientId,
  scope: g.scope,
  created_at: g.createdAt.toISOString(),
  expires_at: iso(g.expiresAt),
});

async function userByEmail(container: Container, email: string): Promise<User> {
  const found = await container.accounts.findByEmail(email);
  if (!found) throw new NotFoundError(`no user with email ${isPlainText(email) ? normalizeEmail(email) : '(not a valid email)'}`);
  return found;
}

const list: Command = {
  name: 'sessions list',
  synopsis: 'sessions list --user EMAIL',
  summary: "list a person's browser sessions and grants (the apps they signed in to)",
  help: [['--user EMAIL', 'whose sessions']],
  options: { user: { type: 'string' } },
  positionals: [],
  prepare(args) {
    const email = requiredString(args, 'user');
    return async (ctx) => {
      const container = await ctx.container();
      const user = await userByEmail(container, email);
      const { sessions, grants } = await container.userSessions.list(user.id);
      return {
        json: { email: user.email, sub: user.id, sessions: sessions.map(sessionJson), grants: grants.map(grantJson) },
        human: [
          ...(sessions.length
            ? table(
                ['session', 'signed in', 'expires', 'apps'],
                sessions.map((s) => [s.uid, when(s.loginAt), when(s.expiresAt), s.clientIds.join(', ') || '-']),
              )
            : [`${user.email} has no sessions`]),
          ...(grants.length
            ? [
                '',
                ...table(
                  ['grant', 'client', 'scope', 'created'],
                  grants.map((g) => [g.grantId, g.clientId ?? '-', g.scope ?? '-', when(g.createdAt)]),
                ),
              ]
            : []),
        ],
      };
    };
  },
};

const revoke: Command = {
  name: 'sessions revoke',
  synopsis: 'sessions revoke --user EMAIL (--session UID | --all)',
  summary: 'end one session of a person (with the grants made in it), or all of their sessions and grants',
  help: [
    ['--user EMAIL', 'whose session'],
    ['--session UID', 'the session to end (its uid, as sessions list shows it)'],
    ['--all', 'end every session and grant: signed out everywhere, every app token stops'],
  ],
  options: { user: { type: 'string' }, session: { type: 'string' }, all: { type: 'boolean' } },
  positionals: [],
  prepare(args) {
    const email = requiredString(args, 'user');
    const uid = optionalString(args, 'session');
    const all = flag(args, 'all');
    if ((uid === undefined) === !all) throw new UsageError(`${args.command} needs either --session UID or --all`);
    if (uid !== undefined && uid.trim() === '') throw new UsageError(`${args.command}: --session must not be empty`);
    return async (ctx) => {
      const container = await ctx.container();
      const user = await userByEmail(container, email);
      const revoked = all ? await container.userSessions.revokeAll(user.id, ctx.by) : await container.userSessions.revokeOne(user.id, uid!, ctx.by);
      return {
        json: { email: user.email, sub: user.id, ...revoked },
        human: [`ended ${revoked.revoked_sessions} sessions and ${revoked.revoked_grants} grants of ${user.email}`],
      };
    };
  },
};

export const sessionCommands: Command[] = [list, revoke];
