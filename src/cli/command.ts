// What a CLI command is, and the argument handling every command shares.
//
// A command runs in two steps: `prepare` checks the arguments (and reads stdin if asked) before
// anything touches the database, so bad input exits 2 without side effects; it returns the step
// that does the work with the services.
import { parseArgs } from 'node:util';
import type { Container } from '../container.js';
import type { MigrateResult } from '../db/migrate.js';
import type { By } from '../domain/audit/actions.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd?: string;
  /** All of standard input as text (for --password-stdin). */
  stdin?: () => Promise<string>;
}

/** Bad command-line input: exit 2 with the message as the one line on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandContext {
  /** What the automatic migration before every command applied. */
  migration: MigrateResult;
  /** The services, opened on first use and closed when the command ends. */
  container(): Promise<Container>;
  /** Who the command acts as, for the audit log the services write (src/cli/actor.ts). */
  by: By;
}

export interface CommandResult {
  json: unknown;
  human: string[];
}

export type Run = (ctx: CommandContext) => Promise<CommandResult>;

type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export interface ParsedArgs {
  command: string;
  values: Record<string, OptionValue>;
  positionals: string[];
}

export interface Command {
  /** `users create`: the words that select it. */
  name: string;
  /** One line for the overview: the name with its arguments. */
  synopsis: string;
  summary: string;
  /** `--help` for this command: [option, description] rows; '' as the option continues the row above. */
  help: [string, string][];
  options: Record<string, OptionSpec>;
  /** Names of the positional arguments, all required (e.g. ['EMAIL']). */
  positionals: string[];
  prepare(args: ParsedArgs, io: CliIo): Run | Promise<Run>;
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const optionName = (message: string) => /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'an option';

/**
 * Key ids (base64url thumbprints) and client ids (random base64url) can start with "-". For a
 * command that takes positionals, a single-dash word that is not -h and does not follow an option
 * waiting for its value is such an id: it is moved behind "--" so parseArgs reads it as one.
 */
function dashedIdsAsPositionals(command: Command, argv: string[], options: Record<string, OptionSpec>): string[] {
  if (command.positionals.length === 0 || argv.includes('--')) return argv;
  const ids: string[] = [];
  const rest: string[] = [];
  argv.forEach((arg, i) => {
    const previous = argv[i - 1] ?? '';
    const awaitsValue = /^--[^=]+$/.test(previous) && options[previous.slice(2)]?.type === 'string';
    if (/^-[^-]/.test(arg) && arg !== '-h' && !awaitsValue) ids.push(arg);
    else rest.push(arg);
  });
  return ids.length > 0 ? [...rest, '--', ...ids] : argv;
}

/**
 * Session ids (nanoid) and other ids given as option values can start with "-" too. A dash word
 * right after a string option that waits for its value, and that is not itself one of this
 * command's options, is that value: it is glued on as --option=value. A known option there still
 * means the value was forgotten, and parseArgs says so.
 */
function dashedValuesGlued(argv: string[], options: Record<string, OptionSpec>): string[] {
  const known = (arg: string) => {
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : arg.slice(1);
    return arg.startsWith('--') ? name in options : Object.values(options).some((spec) => spec.short === name);
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const awaitsValue = /^--[^=]+$/.test(arg) && options[arg.slice(2)]?.type === 'string';
    if (awaitsValue && next !== undefined && next.startsWith('-') && next !== '--' && next !== '-' && !known(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
    if (arg === '--') {
      out.push(...argv.slice(i + 1));
      break;
    }
  }
  return out;
}

/** parseArgs (strict) with one-line messages that name the command and the option. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options = { ...command.options, ...COMMON_OPTIONS };
  let parsed;
  try {
    parsed = parseArgs({
      args: dashedIdsAsPositionals(command, dashedValuesGlued(argv, options), options),
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : '';
    const option = optionName(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`${command.name}: unknown option ${option} (see sesame ${command.name} --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (message.includes('does not take an argument')) throw new UsageError(`${command.name}: ${option} takes no value`);
      if (message.includes('ambiguous')) {
        throw new UsageError(`${command.name}: ${option} needs a value (write ${option}=VALUE for a value starting with -)`);
      }
      throw new UsageError(`${command.name}: ${option} needs a value`);
    }
    throw new UsageError(`${command.name}: ${message.split('\n')[0] ?? 'invalid arguments'}`);
  }
  // parseArgs keeps the last of a repeated single-value option; a repeated one is a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name) && options[token.name]?.type === 'string') {
      throw new UsageError(`${command.name}: --${token.name} was given more than once`);
    }
    seen.add(token.name);
  }
  if (parsed.values.help) return { command: command.name, values: parsed.values, positionals: parsed.positionals };
  const expected = command.positionals;
  // Never echo a stray argument: it may be half of an unquoted password.
  if (parsed.positionals.length !== expected.length) {
    throw new UsageError(
      expected.length === 0
        ? `${command.name}: unexpected argument (options start with --; see sesame ${command.name} --help)`
        : parsed.positionals.length < expected.length
          ? `${command.name} needs ${expected.join(' ')}`
          : `${command.name} takes exactly ${expected.join(' ')} (quote values that contain spaces)`,
    );
  }
  return { command: command.name, values: parsed.values, positionals: parsed.positionals };
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** `--limit N`: a whole number from 1 to `max`, `fallback` when absent. */
export function limitOption(args: ParsedArgs, fallback: number, max: number): number {
  const value = optionalString(args, 'limit');
  if (value === undefined) return fallback;
  const limit = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new UsageError(`${args.command}: --limit must be a whole number from 1 to ${max}`);
  }
  return limit;
}

export function requiredString(args: ParsedArgs, name: string): string {
  const value = optionalString(args, name);
  if (value === undefined) throw new UsageError(`${args.command} needs --${name}`);
  if (value.trim() === '') throw new UsageError(`${args.command}: --${name} must not be empty`);
  return value;
}

export function strings(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}
