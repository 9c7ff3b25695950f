// sesame apply | export: configuration as code. apply makes the database match a YAML file
// (people, groups and their members, clients) through the same services as every other command;
// export writes the file that describes the database now. The file is read and checked before the database is opened,
// so a mistake exits 2 with its path in the file and nothing changed.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigFileError, describeResult, parseConfiguration, type Declared } from '../../domain/configuration/apply-service.js';
import { flag, optionalString, requiredString, UsageError, type CliIo, type Command } from '../command.js';

const fileName = (file: string) => (file === '-' ? 'stdin' : file);

async function readDeclared(file: string, io: CliIo): Promise<Declared> {
  const cwd = io.cwd ?? process.cwd();
  let text: string;
  if (file === '-') {
    if (!io.stdin) throw new UsageError('apply: -f - needs standard input');
    text = await io.stdin();
  } else {
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`apply: cannot read ${file}${code ? ` (${code})` : ''}`);
    }
  }
  try {
    return parseConfiguration(text, { env: io.env, baseDir: file === '-' ? cwd : dirname(resolve(cwd, file)) });
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UsageError(`${fileName(file)}: ${error.message}`);
    throw error;
  }
}

const apply: Command = {
  name: 'apply',
  synopsis: 'apply -f FILE [--dry-run] [--prune]',
  summary: 'make users, groups and clients match a configuration file (YAML); says "no changes" when they do',
  help: [
    ['-f, --file FILE', 'the configuration file (- for standard input); see README,'],
    ['', '"Configuration as code"'],
    ['--dry-run', 'print the changes (+ create, ~ update, - delete) and change nothing'],
    ['--prune', 'also delete the clients, users and groups the file leaves out (only for'],
    ['', "the sections it has; never the console's own client, never the"],
    ['', 'last admin)'],
  ],
  options: { file: { type: 'string', short: 'f' }, 'dry-run': { type: 'boolean' }, prune: { type: 'boolean' } },
  positionals: [],
  async prepare(args, io) {
    const file = requiredString(args, 'file');
    const declared = await readDeclared(file, io);
    const dryRun = flag(args, 'dry-run');
    const prune = flag(args, 'prune');
    return async (ctx) => {
      const container = await ctx.container();
      try {
        const result = await container.configuration.apply(declared, { dryRun, prune, by: ctx.by });
        return { json: result, human: describeResult(result) };
      } catch (error) {
        // What only the database can tell (a client that cannot switch kind, the last admin): named like the rest.
        if (error instanceof ConfigFileError) throw new UsageError(`${fileName(file)}: ${error.message}`);
        throw error;
      }
    };
  },
};

const exportCommand: Command = {
  name: 'export',
  synopsis: 'export [-o FILE]',
  summary: 'write the current users, groups and clients as a configuration file (no secrets) for sesame apply',
  help: [['-o, --output FILE', 'write the file there instead of to standard output']],
  options: { output: { type: 'string', short: 'o' } },
  positionals: [],
  prepare(args, io) {
    const output = optionalString(args, 'output');
    if (output !== undefined && output.trim() === '') throw new UsageError('export: --output must not be empty');
    return async (ctx) => {
      const text = await (await ctx.container()).configuration.export();
      const declared = parse(text) as { clients: unknown[]; users: unknown[]; groups: unknown[] };
      if (output === undefined) return { json: declared, human: [text.replace(/\n$/, '')] };
      writeFileSync(resolve(io.cwd ?? process.cwd(), output), text);
      return {
        json: { file: output, clients: declared.clients.length, users: declared.users.length, groups: declared.groups.length },
        human: [
          `wrote ${output}: ${declared.clients.length} clients, ${declared.users.length} users, ${declared.groups.length} groups (secrets are references, not values)`,
        ],
      };
    };
  },
};

export const applyCommands: Command[] = [apply, exportCommand];
