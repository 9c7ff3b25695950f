// sesame keys list. The key service only ever hands out views: no private (or public) key material.
import type { Command } from '../command.js';
import { table, when } from '../output.js';

const list: Command = {
  name: 'keys list',
  synopsis: 'keys list',
  summary: 'list signing keys: kid, alg, state and timestamps (never private parts)',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const keys = await (await ctx.container()).keys.list();
    const revoked = keys.some((k) => k.revoked_at);
    return {
      json: keys,
      human: keys.length
        ? table(
            ['kid', 'alg', 'state', 'published', 'activated', 'retired', 'expires', ...(revoked ? ['revoked'] : [])],
            keys.map((k) => [
              k.kid,
              k.alg,
              k.state,
              when(k.published_at),
              when(k.activated_at),
              when(k.retired_at),
              when(k.expires_at),
              ...(revoked ? [when(k.revoked_at)] : []),
            ]),
          )
        : ['no signing keys yet (the server creates them when it starts)'],
    };
  },
};

export const keyCommands: Command[] = [list];
