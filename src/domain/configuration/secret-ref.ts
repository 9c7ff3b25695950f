// A secret in a configuration file is referenced, never written: `{ env: NAME }` reads it from the
// environment Sesame runs in, `{ file: PATH }` from a file (a mounted Kubernetes or Docker secret;
// a relative path is relative to the configuration file). Trailing line breaks are dropped, as
// `echo` and editors add them. The secret never appears in a message.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigFileError, isMap, refuseUnknownKeys } from './file-errors.js';

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  /** The configuration file's directory, for relative `file:` paths. */
  baseDir: string;
}

export interface ResolvedSecret {
  value: string;
  /** Where it came from, for the plan: `env CLIENT_GRAFANA_SECRET`, `file /run/secrets/grafana`. */
  source: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function resolveSecret(value: unknown, path: string, sources: SecretSources): ResolvedSecret {
  if (typeof value === 'string') {
    throw new ConfigFileError(path, 'a secret is never written in the file: reference it with { env: NAME } or { file: PATH }');
  }
  if (!isMap(value)) throw new ConfigFileError(path, 'must be { env: NAME } or { file: PATH }');
  refuseUnknownKeys(value, ['env', 'file'], path);
  const { env, file } = value;
  if ((env === undefined) === (file === undefined)) throw new ConfigFileError(path, 'must be either { env: NAME } or { file: PATH }, one of them');
  if (env !== undefined) {
    if (typeof env !== 'string' || !ENV_NAME.test(env))
      throw new ConfigFileError(`${path}.env`, 'must be an environment variable name such as CLIENT_APP_SECRET');
    const secret = sources.env[env];
    if (secret === undefined || secret === '') throw new ConfigFileError(`${path}.env`, `environment variable ${env} is not set`);
    return { value: secret.replace(/[\r\n]+$/, ''), source: `env ${env}` };
  }
  if (typeof file !== 'string' || file === '') throw new ConfigFileError(`${path}.file`, 'must be a file path');
  const full = isAbsolute(file) ? file : resolve(sources.baseDir, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ConfigFileError(`${path}.file`, `cannot read ${full}${code ? ` (${code})` : ''}`);
  }
  return { value: text.replace(/[\r\n]+$/, ''), source: `file ${full}` };
}
