// sesame migrate. Every command migrates first; this one just reports what that did.
import type { Command } from '../command.js';

const migrate: Command = {
  name: 'migrate',
  synopsis: 'migrate',
  summary: 'apply pending database migrations (every command does this first)',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const { applied, total } = ctx.migration;
    return {
      json: { applied, total },
      human: applied.length
        ? [`applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`, ...applied.map((name) => `  ${name}`)]
        : [`database is up to date (${total} migration${total === 1 ? '' : 's'})`],
    };
  },
};

export const migrateCommands: Command[] = [migrate];
