import { describe, expect, it } from 'vitest';
import { HeldWrites, WritesNotStored, type HeldRow } from '../../src/db/held-writes.js';

type Row = HeldRow<{ note: string }>;
const saved = (model: string, key: string, payload: string): Row => ({ model, key, saved: { payload, columns: { note: payload } } });
const removed = (model: string, key: string): Row => ({ model, key, saved: null });

/** A HeldWrites whose sends are recorded; `fail` makes the next send throw. */
function recorder() {
  const sends: Row[][] = [];
  const state = { fail: false };
  const held = new HeldWrites<{ note: string }>(async (rows) => {
    await Promise.resolve();
    if (state.fail) throw new Error('the database refused');
    sends.push(rows);
  });
  return { held, sends, state };
}

describe('HeldWrites', () => {
  it('holds the writes of a scope and sends them once, together, when it ends', async () => {
    const { held, sends } = recorder();
    await held.around(async () => {
      expect(held.hold(saved('Session', 's1', 'a'))).toBe(true);
      await Promise.resolve();
      expect(held.hold(removed('Interaction', 'i1'))).toBe(true);
      expect(held.hold(saved('AuthorizationCode', 'c1', 'b'))).toBe(true);
      expect(sends).toEqual([]);
    });
    expect(sends).toEqual([[saved('Session', 's1', 'a'), removed('Interaction', 'i1'), saved('AuthorizationCode', 'c1', 'b')]]);
  });

  it('keeps the last write of a row, in the order of last writes', async () => {
    const { held, sends } = recorder();
    await held.around(async () => {
      held.hold(saved('Session', 's1', 'first'));
      held.hold(saved('Grant', 'g1', 'grant'));
      held.hold(removed('Session', 's1'));
      expect(held.holds('Session', 's1')).toBe(true);
      expect(held.holdsAny('Grant')).toBe(true);
      expect(held.holdsAny('AccessToken')).toBe(false);
    });
    expect(sends).toEqual([[saved('Grant', 'g1', 'grant'), removed('Session', 's1')]]);
  });

  it('sends nothing for a scope without writes', async () => {
    const { held, sends } = recorder();
    expect(await held.around(async () => 'answer')).toBe('answer');
    expect(sends).toEqual([]);
  });

  it('sends what is held on demand (before a statement that must see it), and holds what comes after', async () => {
    const { held, sends } = recorder();
    await held.around(async () => {
      held.hold(saved('AccessToken', 'a1', 'x'));
      await held.flush();
      expect(sends).toEqual([[saved('AccessToken', 'a1', 'x')]]);
      expect(held.holds('AccessToken', 'a1')).toBe(false);
      held.hold(saved('RefreshToken', 'r1', 'y'));
    });
    expect(sends).toEqual([[saved('AccessToken', 'a1', 'x')], [saved('RefreshToken', 'r1', 'y')]]);
  });

  it('stores what a failed scope wrote before it failed, and passes its error on', async () => {
    const { held, sends } = recorder();
    await expect(
      held.around(async () => {
        held.hold(removed('Interaction', 'i1'));
        throw new Error('access_denied');
      }),
    ).rejects.toThrow('access_denied');
    expect(sends).toEqual([[removed('Interaction', 'i1')]]);
  });

  it('fails the scope when its writes cannot be stored', async () => {
    const { held, state } = recorder();
    state.fail = true;
    const failure = held.around(async () => held.hold(saved('AuthorizationCode', 'c1', 'code')));
    await expect(failure).rejects.toBeInstanceOf(WritesNotStored);
    await expect(failure).rejects.toThrow('the database refused');
  });

  it('holds nothing outside a scope, nor after it ended: those writes go out at once', async () => {
    const { held, sends } = recorder();
    expect(held.hold(saved('Session', 's1', 'a'))).toBe(false);
    // A straggler: a timer the scope started, firing in the scope's context once it has ended.
    const straggler = new Promise<boolean>((resolve) => {
      void held.around(async () => {
        setTimeout(() => resolve(held.hold(saved('Session', 's2', 'b'))), 5);
      });
    });
    expect(await straggler).toBe(false);
    expect(sends).toEqual([]);
  });

  it('keeps concurrent scopes apart', async () => {
    const { held, sends } = recorder();
    await Promise.all([
      held.around(async () => {
        held.hold(saved('Session', 'first', '1'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }),
      held.around(async () => {
        held.hold(saved('Session', 'second', '2'));
      }),
    ]);
    expect(sends.map((rows) => rows.map((row) => row.key)).sort()).toEqual([['first'], ['second']]);
  });

  it('sends the records that ride along with the rows, on their own when no row is held, and not after the scope ended', async () => {
    const sends: { rows: Row[]; along: string[] }[] = [];
    const held = new HeldWrites<{ note: string }, string>(async (rows, along) => {
      await Promise.resolve();
      sends.push({ rows, along });
    });
    await held.around(async () => {
      expect(held.holdAlong('signed in')).toBe(true);
      held.hold(saved('Interaction', 'i1', 'result'));
      expect(held.holdAlong('second record')).toBe(true);
    });
    expect(sends).toEqual([{ rows: [saved('Interaction', 'i1', 'result')], along: ['signed in', 'second record'] }]);

    sends.length = 0;
    await held.around(async () => {
      held.holdAlong('refused');
      // A flush before a read sends what is held so far, records with rows.
      await held.flush();
      held.hold(saved('Session', 's1', 'a'));
    });
    expect(sends).toEqual([
      { rows: [], along: ['refused'] },
      { rows: [saved('Session', 's1', 'a')], along: [] },
    ]);
    expect(held.holdAlong('outside any request')).toBe(false);
  });
});
