// The logger over pino: JSON lines with readable levels, errors with their stack and cause, the
// request's fields on every line logged inside it (and on no other), and secret-named fields
// blanked even when a call site passes one by mistake.
import { describe, expect, it } from 'vitest';
import { createLogger, withLogFields } from '../../src/logger.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: Record<string, any>[] = [];
  return { lines, log: createLogger(level, (line) => lines.push(JSON.parse(line) as Record<string, any>)) };
}

describe('logger', () => {
  it('writes one JSON line per call with level, time, message and fields, from the threshold up', () => {
    const { lines, log } = capture('info');
    log.debug('hidden');
    log.info('shown', { client_id: 'abc', count: 2 });
    expect(lines).toEqual([{ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), msg: 'shown', client_id: 'abc', count: 2 }]);
  });

  it('stamps each line with the time it was logged, shared only by lines of the same millisecond', async () => {
    const { lines, log } = capture('info');
    const before = Date.now();
    log.info('first');
    log.info('same moment');
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.info('later');
    const after = Date.now();
    const [first, same, later] = lines.map((line) => Date.parse(line.time as string));
    expect(first).toBeGreaterThanOrEqual(before);
    expect(same).toBeGreaterThanOrEqual(first!);
    expect(later! - first!).toBeGreaterThanOrEqual(4);
    expect(later).toBeLessThanOrEqual(after);
    expect(lines[2]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('logs an error with its stack and its cause', () => {
    const { lines, log } = capture();
    log.error('failed', { err: new Error('outer', { cause: new TypeError('inner') }) });
    expect(lines[0]!.err.message).toContain('outer');
    expect(lines[0]!.err.stack).toMatch(/Error: outer\n\s+at /);
    expect(lines[0]!.err.stack).toContain('caused by: TypeError: inner');
  });

  it("adds a request's fields to every line logged inside it, through awaits, and to no line outside", async () => {
    const { lines, log } = capture();
    await withLogFields({ requestId: 'r-1' }, async () => {
      log.error('inside', { err: new Error('boom') });
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info('still inside');
    });
    log.info('outside');
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['inside', 'r-1'],
      ['still inside', 'r-1'],
      ['outside', undefined],
    ]);
    // One line's fields never stick to the next.
    expect(lines[1]!.err).toBeUndefined();
  });

  it('blanks secret-named fields at the top level and one level down', () => {
    const { lines, log } = capture();
    log.info('oops', {
      password: 'hunter2',
      client_secret: 'hunter2',
      headers: { authorization: 'Bearer hunter2', cookie: 'sid=hunter2', 'set-cookie': 'sid=hunter2', accept: 'text/html' },
      body: { refresh_token: 'hunter2', grant_type: 'refresh_token' },
    });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
    expect(lines[0]!.headers.accept).toBe('text/html');
    expect(lines[0]!.body.grant_type).toBe('refresh_token');
  });
});
