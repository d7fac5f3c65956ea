import { RecentCache } from './recent-cache';

describe('RecentCache', () => {
  it('never holds more than its capacity, and keeps the newest entries', () => {
    const cache = new RecentCache<number, string>(100);
    for (let i = 0; i < 1_000; i += 1) {
      cache.set(i, `v${i}`);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    // The newest entry of all, and the newest ninety-odd, are there; the first ones are gone.
    expect(cache.get(999)).toBe('v999');
    for (let i = 1_000 - 90; i < 1_000; i += 1) expect(cache.get(i)).toBe(`v${i}`);
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(800)).toBeUndefined();
  });

  it('evicts by the last set, not the first: an entry set again is new again', () => {
    const cache = new RecentCache<string, number>(32);
    for (let i = 0; i < 32; i += 1) cache.set(`k${i}`, i);
    cache.set('k0', 100);
    cache.set('new', -1);
    // Over capacity at 33: the oldest go down to 30 (a sixteenth of 32 below it), so k1 to k3;
    // k0, set again, stays with its new value.
    expect(cache.size).toBe(30);
    expect(cache.get('k0')).toBe(100);
    for (const gone of ['k1', 'k2', 'k3']) expect(cache.get(gone)).toBeUndefined();
    expect(cache.get('k4')).toBe(4);
    expect(cache.get('new')).toBe(-1);
  });

  it('forgets a deleted entry, and holds a capacity of one', () => {
    const cache = new RecentCache<string, number>(1);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    expect(cache.delete('b')).toBe(true);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a capacity that is not a positive integer, and a negative age', () => {
    expect(() => new RecentCache(0)).toThrow(RangeError);
    expect(() => new RecentCache(1.5)).toThrow(RangeError);
    expect(() => new RecentCache(10, { maxAgeMs: -1 })).toThrow(RangeError);
  });

  describe('with a maximum age', () => {
    let now = 0;
    const cache = () => new RecentCache<string, number>(1_000, { maxAgeMs: 1_600, now: () => now });
    beforeEach(() => (now = 0));

    it('gives nothing for an entry older than the age, and a fresh value once set again', () => {
      const c = cache();
      c.set('a', 1);
      now = 1_600;
      expect(c.get('a')).toBe(1);
      now = 1_601;
      expect(c.get('a')).toBeUndefined();
      c.set('a', 2);
      expect(c.get('a')).toBe(2);
    });

    it('drops expired entries, and only those, a batch at a time as it is used', () => {
      const c = cache();
      for (let i = 0; i < 100; i += 1) {
        now = i * 10;
        c.set(`k${i}`, i);
      }
      // At 2,000 ms the oldest (set at 0) is past 1,700 (the age and a sixteenth): the entries set
      // before 400 go; the rest are held.
      now = 2_000;
      c.set('new', -1);
      expect(c.size).toBe(100 - 40 + 1);
      expect(c.get('k39')).toBeUndefined();
      expect(c.get('k40')).toBe(40);
      // Not another pass for each entry that expires: the next waits for its sixteenth.
      now = 2_050;
      c.set('newer', -2);
      expect(c.size).toBe(62);
      expect(c.get('k40')).toBeUndefined();
      expect(c.get('k45')).toBe(45);
    });

    it('drops expired entries on a read as well', () => {
      const c = cache();
      c.set('old', 1);
      now = 1_000;
      c.set('young', 2);
      now = 1_800;
      expect(c.get('young')).toBe(2);
      expect(c.size).toBe(1);
    });
  });
});
