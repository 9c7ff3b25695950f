// `sesame`: the admin CLI. Works on the same database, with the same services, as the server;
// running servers see its changes on their next read, without a restart.
//
// Contract (README, "CLI"): JSON on stdout with --json, a short human summary otherwise; exit 0 on
// success, 2 on bad input with one line `sesame: <reason>` on stderr, 1 on any other failure
// (also one line; never a stack trace). Passwords and secrets are never logged.
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createContainer, type Container } from '../container.js';
import { migrate, type MigrateResult, MigrationError } from '../db/migrate.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { createLogger } from '../logger.js';
import { parseCommandArgs, UsageError, type CliIo, type Command, type Run } from './command.js';
import { cliBy } from './actor.js';
import { applyCommands } from './commands/apply.js';
import { auditCommands } from './commands/audit.js';
import { clientCommands } from './commands/clients.js';
import { keyEventCommands } from './commands/key-events.js';
import { keyCommands } from './commands/keys.js';
import { migrateCommands } from './commands/migrate.js';
import { sessionCommands } from './commands/sessions.js';
import { groupCommands } from './commands/groups.js';
import { accessCommands } from './commands/access.js';
import { userCommands } from './commands/users.js';
import { describeError } from './output.js';
import { packageVersion } from './version.js';

export type { CliIo } from './command.js';

const COMMANDS: Command[] = [
  ...migrateCommands,
  ...userCommands,
  ...sessionCommands,
  ...groupCommands,
  ...clientCommands,
  ...accessCommands,
  ...keyCommands,
  ...keyEventCommands,
  ...auditCommands,
  ...applyCommands,
];
const GROUPS = [...new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!))];
const HELP_FLAGS = new Set(['--help', '-h']);

/** A synopsis after `prefix`, its continuation lines indented to match. */
function synopsis(command: Command, prefix: string): string[] {
  return command.synopsis.split('\n').map((line, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + line);
}

function overview(): string {
  return [
    'Usage: sesame <command> [options]',
    '',
    "Manages Sesame's users, clients and signing keys, and shows its audit log, in the database",
    'the server uses (DATABASE_URL and the other settings come from the environment or ./.env).',
    'Running servers pick changes up without a restart. Pending migrations are applied first.',
    'Every change is recorded in the audit log with actor "cli:<your operating-system user>".',
    '',
    'Commands:',
    ...COMMANDS.flatMap((c) => [...synopsis(c, '  sesame '), `      ${c.summary}`]),
    '',
    'Options for every command:',
    '  --json       print JSON on stdout instead of a short summary',
    '  -h, --help   show help for the command (also: sesame help [command])',
    '',
    'sesame --version prints the version (--json: {"version": ...}).',
    '',
    'Passwords: --password P ends up in your shell history and the process list. Prefer',
    '  printf %s "$PASSWORD" | sesame users create --email E --password-stdin',
    '',
    'The first admin: sesame users create --email E --password-stdin --admin (the console),',
    'and sesame clients create --admin (a client for the admin API; it prints how to get a token).',
    '',
    'Changing KEY_ENCRYPTION_SECRET: set it to NEW,OLD on every instance (the first encrypts,',
    'all of them decrypt), run sesame keys rewrap, then set it to NEW alone.',
    '',
    'Key changes (keys rotate, keys revoke) reach running instances within a second (KEY_SYNC_INTERVAL at the latest).',
    '',
    'Exit status: 0 success, 2 bad input (one line on stderr), 1 any other failure.',
    '',
  ].join('\n');
}

function groupHelp(group: string): string {
  const commands = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return [
    `Usage: sesame ${group} <command> [options]`,
    '',
    'Commands:',
    ...commands.flatMap((c) => [...synopsis(c, '  sesame '), `      ${c.summary}`]),
    '',
    `Run sesame ${group} <command> --help for its options.`,
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const rows: [string, string][] = [...command.help, ['--json', 'print JSON on stdout'], ['-h, --help', 'show this help']];
  const width = Math.max(...rows.map(([option]) => option.length)) + 2;
  return [
    ...synopsis(command, 'Usage: sesame '),
    '',
    `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    '',
    'Options:',
    ...rows.map(([option, text]) => `  ${option.padEnd(width)}${text}`.trimEnd()),
    '',
  ].join('\n');
}

function helpFor(topic: string[]): string {
  const words = topic.filter((word) => !word.startsWith('-'));
  if (words.length === 0) return overview();
  const name = words.join(' ');
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return commandHelp(command);
  if (words.length === 1 && GROUPS.includes(name)) return groupHelp(name);
  throw new UsageError(`no help for "${name}": unknown command (see sesame --help)`);
}

type Selection = { help: string } | { version: true; json: boolean } | { command: Command; rest: string[] };

/** Finds the command the first words name; `--help` anywhere before `--` asks for help instead. */
function select(argv: string[]): Selection {
  const end = argv.indexOf('--');
  const wantsHelp = (end === -1 ? argv : argv.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
  const [first, second] = argv;
  if (first === undefined) throw new UsageError('missing command (see sesame --help)');
  if (first === 'help' || HELP_FLAGS.has(first)) return { help: helpFor(argv.slice(1)) };
  if (first === '--version' || first === 'version') {
    const extra = argv.slice(1).filter((arg) => arg !== '--json');
    if (extra.length > 0) throw new UsageError('--version takes no arguments except --json');
    return { version: true, json: argv.includes('--json') };
  }
  if (first.startsWith('-')) throw new UsageError('put the command first, e.g. sesame users list --json (see sesame --help)');

  let command = COMMANDS.find((c) => c.name === first);
  let rest = argv.slice(1);
  if (!command && GROUPS.includes(first)) {
    const names = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1));
    if (second === undefined || second.startsWith('-')) {
      if (wantsHelp) return { help: groupHelp(first) };
      throw new UsageError(`${first} needs a command: ${names.join(', ')}`);
    }
    command = COMMANDS.find((c) => c.name === `${first} ${second}`);
    if (!command) throw new UsageError(`unknown command "${first} ${second}": use ${names.map((n) => `${first} ${n}`).join(', ')}`);
    rest = argv.slice(2);
  }
  if (!command) throw new UsageError(`unknown command "${first}" (see sesame --help)`);
  if (wantsHelp) return { help: commandHelp(command) };
  return { command, rest };
}

function isBadInput(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof ValidationError ||
    error instanceof ConflictError ||
    error instanceof NotFoundError
  );
}

/** Commands whose changes belong in the log (every key state change, with kid and reason). */
const AUDITED = new Set(['keys rotate', 'keys revoke', 'keys rewrap']);

/**
 * The CLI logs on stderr, never below the configured level: warnings and errors, plus the info
 * lines of commands that change signing keys.
 */
function cliLogLevel(config: Config, command: string): Config['logLevel'] {
  if (config.logLevel === 'silent' || config.logLevel === 'error') return config.logLevel;
  return AUDITED.has(command) && config.logLevel !== 'warn' ? 'info' : 'warn';
}

async function migrateQuietly(config: Config): Promise<MigrateResult> {
  try {
    return await migrate(config.database);
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new Error(`cannot migrate the ${config.database.provider} database: ${describeError(error)}`, { cause: error });
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let container: Promise<Container> | undefined;
  try {
    const selection = select(argv);
    if ('help' in selection) {
      io.stdout(selection.help);
      return 0;
    }
    if ('version' in selection) {
      // Needs no configuration and no database: it works before anything is set up.
      const version = packageVersion();
      io.stdout(selection.json ? `${JSON.stringify({ version }, null, 2)}\n` : `sesame ${version}\n`);
      return 0;
    }
    const { command, rest } = selection;
    const args = parseCommandArgs(command, rest);
    const json = args.values.json === true;
    // Arguments are checked (and stdin read) before anything touches the database.
    const run: Run = await command.prepare(args, io);

    const config = loadConfig(io.env, { readDotEnv: true, ...(io.cwd !== undefined ? { cwd: io.cwd } : {}) });
    if (config.logLevel !== 'silent') for (const warning of config.warnings) io.stderr(`sesame: warning: ${warning}\n`);
    const log = createLogger(cliLogLevel(config, command.name), io.stderr);
    const migration = await migrateQuietly(config);

    const result = await run({ migration, by: cliBy(), container: () => (container ??= createContainer(config, log)) });
    io.stdout(json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.human.join('\n')}\n`);
    return 0;
  } catch (error) {
    // A configuration can have several problems: one line each, all at once.
    const lines = error instanceof ConfigError ? error.problems : [describeError(error)];
    for (const line of lines) io.stderr(`sesame: ${line}\n`);
    return isBadInput(error) ? 2 : 1;
  } finally {
    if (container) {
      try {
        await (await container).close();
      } catch {
        // Opening failed (already reported) or closing failed after the work was done: nothing to add.
      }
    }
  }
}
