import { describe, expect, it } from 'vitest';
import { auditEventId } from '../../src/domain/audit/event-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const increasing = (ids: string[]) => ids.every((id, i) => i === 0 || id > ids[i - 1]!);

describe('audit event ids', () => {
  it('are UUIDv7 carrying the millisecond they were made in', () => {
    const now = Date.parse('2026-12-04T17:00:00.123Z');
    const id = auditEventId(now + 60_000);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now + 60_000);
  });

  it('sort in the order they were made, many in the same millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => auditEventId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(increasing(ids)).toBe(true);
  });

  it('keep their order past 4096 in one millisecond and when the clock steps back', () => {
    const at = Date.now() + 3_600_000;
    const ids = [...Array.from({ length: 5000 }, () => auditEventId(at)), auditEventId(at - 10_000), auditEventId(at)];
    expect(increasing(ids)).toBe(true);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });
});
