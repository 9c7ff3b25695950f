// Structured one-line JSON logs. Callers pass fields, never secrets: no passwords, client
// secrets, tokens or private keys are ever given to the logger.
import type { Config } from './config.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * An error as a log field: with its stack (the only way to find where an unexpected error came
 * from) and its cause. Logs are for operators; HTTP responses never carry any of this.
 */
function describeError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return value;
  const described: LogFields = { name: value.name, message: value.message };
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') described.code = code;
  if (value.stack) described.stack = value.stack;
  if (value.cause !== undefined && depth < 3) described.cause = describeError(value.cause, depth + 1);
  return described;
}

export function createLogger(level: Config['logLevel'], write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const threshold = level === 'silent' ? Infinity : LEVELS.indexOf(level);
  const log =
    (lvl: Level) =>
    (msg: string, fields: LogFields = {}) => {
      if (LEVELS.indexOf(lvl) < threshold) return;
      const entry: LogFields = { time: new Date().toISOString(), level: lvl, msg };
      for (const [key, value] of Object.entries(fields)) entry[key] = key === 'err' ? describeError(value) : value;
      write(JSON.stringify(entry) + '\n');
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = createLogger('silent');
