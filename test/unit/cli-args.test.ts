import { describe, expect, it } from 'vitest';
import { parseCommandArgs, UsageError, type Command } from '../../src/cli/command.js';

const revoke: Command = {
  name: 'sessions revoke',
  synopsis: 'sessions revoke --user EMAIL (--session UID | --all)',
  summary: '',
  help: [],
  options: { user: { type: 'string' }, session: { type: 'string' }, all: { type: 'boolean' } },
  positionals: [],
  prepare: () => async () => ({ json: null, human: [] }),
};

const keysRevoke: Command = { ...revoke, name: 'keys revoke', options: { reason: { type: 'string' } }, positionals: ['KID'] };

describe('CLI arguments', () => {
  it('reads an id that starts with "-" as the value of the option before it (session ids are nanoids)', () => {
    const parsed = parseCommandArgs(revoke, ['--user', 'a@example.com', '--session', '-Xy_9', '--json']);
    expect(parsed.values.session).toBe('-Xy_9');
    expect(parsed.values.json).toBe(true);
  });

  it('still says the value was forgotten when the next word is one of the options', () => {
    expect(() => parseCommandArgs(revoke, ['--user', 'a@example.com', '--session', '--all'])).toThrow(UsageError);
    expect(() => parseCommandArgs(revoke, ['--user', 'a@example.com', '--session', '--all'])).toThrow(/--session needs a value/);
    expect(() => parseCommandArgs(revoke, ['--user', 'a@example.com', '--session', '-h'])).toThrow(/--session needs a value/);
  });

  it('keeps a dashed key id as the positional and a dashed option value as the value', () => {
    const parsed = parseCommandArgs(keysRevoke, ['-kid0', '--reason', '-leaked']);
    expect(parsed.positionals).toEqual(['-kid0']);
    expect(parsed.values.reason).toBe('-leaked');
  });

  it('leaves everything after "--" alone', () => {
    const parsed = parseCommandArgs(keysRevoke, ['--reason', 'x', '--', '--session']);
    expect(parsed.positionals).toEqual(['--session']);
  });
});
