// sesame audit list. The other commands' changes are recorded by the services they call, with the
// CLI as the actor (src/cli/actor.ts).
import { parseDuration } from '../../config.js';
import type { AuditEvent } from '../../domain/audit/audit-service.js';
import { limitOption, optionalString, UsageError, type Command, type ParsedArgs } from '../command.js';
import { table, when } from '../output.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** `--since 24h` (that long ago) or `--since 2025-01-31` / an ISO timestamp. */
function parseSince(args: ParsedArgs, now: Date): Date | undefined {
  const value = optionalString(args, 'since');
  if (value === undefined) return undefined;
  const seconds = parseDuration(value);
  if (seconds !== undefined) return new Date(now.getTime() - seconds * 1000);
  const trimmed = value.trim();
  const at = /^\d{4}-\d\d-\d\d/.test(trimmed) ? new Date(trimmed) : new Date(NaN);
  if (Number.isNaN(at.getTime())) {
    throw new UsageError(`${args.command}: --since must be a duration such as 15m, 24h or 7d, or an ISO date such as 2025-01-31T12:00:00Z`);
  }
  return at;
}

const list: Command = {
  name: 'audit list',
  synopsis: 'audit list [--since DURATION|DATE] [--action A] [--limit N]',
  summary: 'show the audit log, newest first: sign-ins, consents, revocations, admin changes, key changes',
  help: [
    ['--since DURATION|DATE', 'only events from that long ago (15m, 24h, 7d) or since that'],
    ['', 'ISO date or time (2025-01-31, 2025-01-31T12:00:00Z)'],
    ['--action A', 'only this action, e.g. login.failed, client.created, key.revoked'],
    ['--limit N', `at most N events (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`],
  ],
  options: { since: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' } },
  positionals: [],
  prepare(args) {
    const since = parseSince(args, new Date());
    const action = optionalString(args, 'action')?.trim();
    if (action === '') throw new UsageError(`${args.command}: --action must not be empty`);
    const limit = limitOption(args, DEFAULT_LIMIT, MAX_LIMIT);
    return async (ctx) => {
      const { audit } = await ctx.container();
      const page = await audit.list({ limit, ...(since ? { since } : {}), ...(action ? { action } : {}) });
      return { json: page.events, human: describe(page.events, page.next_cursor !== null, limit) };
    };
  },
};

function describe(events: AuditEvent[], more: boolean, limit: number): string[] {
  if (events.length === 0) return ['no audit events match'];
  const rows = table(
    ['time', 'actor', 'action', 'target', 'source'],
    events.map((e) => [when(e.at), e.actor, e.action, e.target ?? '-', e.source_address ?? '-']),
  );
  if (more) rows.push(`(showing the newest ${limit}; narrow with --since or --action, or raise --limit)`);
  return rows;
}

export const auditCommands: Command[] = [list];
