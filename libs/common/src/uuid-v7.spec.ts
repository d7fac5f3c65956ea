import { isUUID } from 'class-validator';
import { uuidv7 } from './uuid-v7';

describe('uuidv7', () => {
  it('is a lowercase RFC 9562 version 7 UUID carrying the milliseconds given', () => {
    const id = uuidv7(Date.UTC(2026, 11, 6, 19, 30));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 6, 19, 30));
    expect(isUUID(id, 'all')).toBe(true);
  });

  it('sorts by time as text and as PostgreSQL sorts uuids (byte order), and differs within a millisecond', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((t) => uuidv7(t));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)));
    expect(same.size).toBe(1000);
  });
});
