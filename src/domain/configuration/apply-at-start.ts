// SESAME_CONFIG: the configuration file applied as the server starts, before it listens, through
// the same service as `sesame apply` (no prune: only the CLI removes things). A file that cannot
// be read or applied stops start-up with one line naming the file and the place in it.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, type Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { parseConfiguration, type ApplyResult, type ConfigurationService } from './apply-service.js';

export async function applyAtStart(file: NonNullable<Config['configFile']>, configuration: ConfigurationService, log: Logger): Promise<ApplyResult> {
  const where = `SESAME_CONFIG=${file.path}`;
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ConfigError([`${where}: cannot read the file${code ? ` (${code})` : ''}`]);
  }
  try {
    const declared = parseConfiguration(text, { env: file.env, baseDir: dirname(file.path) });
    let result: ApplyResult;
    try {
      result = await configuration.apply(declared);
    } catch (error) {
      // Several instances starting at once apply the same file: the one that lost a race plans again.
      if (!(error instanceof ConflictError)) throw error;
      result = await configuration.apply(declared);
    }
    // Which things changed, never their values (a client's settings are not secret, but one line is enough).
    const changes = result.changes.map((c) => `${c.action} ${c.kind} ${c.id}`);
    log.info(changes.length > 0 ? 'configuration file applied' : 'configuration file applied: no changes', { file: file.path, changes });
    return result;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof ConflictError || error instanceof NotFoundError) {
      throw new ConfigError([`${where}: ${error.message}`]);
    }
    throw error;
  }
}
