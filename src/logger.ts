// Structured logs through pino: one JSON line per event (or pino-pretty's lines for a person at a
// terminal). Call sites pass fields, never secrets; the redact list below is only a safety net for
// a field that slipped through. Errors go in the `err` field, where pino's serializer keeps the
// stack and the causes.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /**
   * An info line whose fields are fixed by its one caller and can hold no secret (the request
   * log's line: method, route, status, duration, id). It skips the redaction pass, which cost a
   * third of writing such a line, and every request writes one.
   */
  infoUnredacted(msg: string, fields: LogFields): void;
}

/** Where lines go: a function that takes each line (tests, the CLI's stderr), or stdout in a format. */
export type LogOutput = ((line: string) => void) | { format: Config['logFormat'] };

/** Field names whose values are secrets wherever they appear, at the top level or one level down. */
const SECRET_KEYS = [
  'password',
  'new_password',
  'current_password',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'registration_access_token',
  'authorization',
  'cookie',
  'set-cookie',
  'private_key',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const path = /^\w+$/.test(key) ? key : `["${key}"]`;
  return [path, path.startsWith('[') ? `*${path}` : `*.${path}`];
});

/** Fields every line logged while handling one request carries (its request id). */
const context = new AsyncLocalStorage<LogFields>();

/** Runs fn with fields added to every line it logs, through every await (request ids). */
export function withLogFields<T>(fields: LogFields, fn: () => T): T {
  return context.run(fields, fn);
}

/** pino-pretty is a dev dependency: loaded only when asked for, and named when missing. */
function prettyStream(): DestinationStream {
  let pretty: typeof import('pino-pretty');
  try {
    pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  } catch {
    throw new Error('LOG_FORMAT=pretty needs pino-pretty, a dev dependency: run npm install, or use LOG_FORMAT=json');
  }
  return pretty({ sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss.l' });
}

/**
 * JSON lines go to stdout asynchronously: a line is handed to a libuv thread at once, and lines
 * logged while a write is under way go out together in the next one. Written synchronously, every
 * request's log line was a write(2) on the event loop, 8% of the CPU of serving userinfo. pino
 * flushes what is pending synchronously when the process exits; only a SIGKILL can lose the lines
 * of the last moments.
 */
function destination(output: LogOutput): DestinationStream {
  if (typeof output === 'function') return { write: output };
  return output.format === 'pretty' ? prettyStream() : pino.destination({ dest: 1, sync: false });
}

/**
 * pino's isoTime, made once per millisecond: lines logged in the same millisecond (a busy
 * instance logs several) share the text. Date#toISOString was 1.5% of serving /jwks.
 */
function isoTimeOncePerMs(): () => string {
  let at = -1;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

export function createLogger(level: Config['logLevel'], output: LogOutput = { format: 'json' }): Logger {
  const json = typeof output === 'function' || output.format === 'json';
  const options: LoggerOptions = {
    level,
    // No pid or hostname on every line: the process supervisor or collector adds where a line came from.
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // A copy: pino merges each line's fields into what mixin returns.
    mixin: () => ({ ...context.getStore() }),
    // Readable levels and times in the JSON lines; pino-pretty formats its own from pino's numbers.
    ...(json ? { timestamp: isoTimeOncePerMs(), formatters: { level: (label: string) => ({ level: label }) } } : {}),
  };
  const stream = destination(output);
  const logger = pino(options, stream);
  const { redact: _redact, mixin: _mixin, ...plainOptions } = options;
  const plain = pino(plainOptions, stream);
  return {
    infoUnredacted: (msg, fields) => plain.info(fields, msg),
    debug: (msg, fields = {}) => logger.debug(fields, msg),
    info: (msg, fields = {}) => logger.info(fields, msg),
    warn: (msg, fields = {}) => logger.warn(fields, msg),
    error: (msg, fields = {}) => logger.error(fields, msg),
  };
}

export const silentLogger: Logger = createLogger('silent', () => {});
