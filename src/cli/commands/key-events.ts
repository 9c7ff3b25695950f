// sesame keys events: the key events (every key state change) and their deliveries to the
// KEY_EVENTS_WEBHOOK_URL receivers, newest first; the same service as GET /admin/api/v1/keys/events.
import type { KeyEventView } from '../../domain/keys/key-events.js';
import { flag, limitOption, type Command } from '../command.js';
import { table, when } from '../output.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 500;

/** A delivery's last outcome: the status or the error. */
function lastOutcome(d: KeyEventView['deliveries'][number]): string {
  if (d.last_error) return d.last_error;
  return d.last_status === null ? '-' : String(d.last_status);
}

function describe(events: KeyEventView[], failing: boolean): string[] {
  if (events.length === 0) return [failing ? 'no key event has a failing delivery' : 'no key events yet'];
  const rows = events.flatMap((e) => {
    const head = [when(e.time), e.type.replace(/^dev\.sesame\./, ''), e.kid ?? '-', e.data.state ?? '-', e.data.by];
    if (e.deliveries.length === 0) {
      return [[...head, e.dispatched_at ? '(no receiver configured)' : '(waiting for a server to send it)', '', '', '', '']];
    }
    return e.deliveries.map((d, i) => [
      ...(i === 0 ? head : ['', '', '', '', '']),
      d.receiver,
      d.state,
      String(d.attempts),
      lastOutcome(d),
      d.state === 'pending' ? when(d.next_attempt_at) : '-',
    ]);
  });
  return table(['time', 'event', 'kid', 'state', 'by', 'receiver', 'delivery', 'attempts', 'last', 'next attempt'], rows);
}

const events: Command = {
  name: 'keys events',
  synopsis: 'keys events [--failed] [--limit N]',
  summary: 'key events (every key state change) and their webhook deliveries, newest first',
  help: [
    ['--failed', 'only events with a failing delivery: retrying, or failed for good'],
    ['--limit N', `at most N events (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`],
  ],
  options: { failed: { type: 'boolean' }, limit: { type: 'string' } },
  positionals: [],
  prepare(args) {
    const limit = limitOption(args, DEFAULT_LIMIT, MAX_LIMIT);
    const failing = flag(args, 'failed');
    return async (ctx) => {
      const list = await (await ctx.container()).keyEvents.list({ limit, failing });
      return { json: list, human: describe(list, failing) };
    };
  },
};

export const keyEventCommands: Command[] = [events];
