import { BatchLoader } from './batch-loader';

/** A table to load from, which keeps the batches it was asked for. */
const table = (rows: Record<string, number>, maxBatch?: number) => {
  const batches: string[][] = [];
  const loader = new BatchLoader<string, number>(async (keys) => {
    batches.push([...keys]);
    return new Map(keys.filter((k) => k in rows).map((k) => [k, rows[k]!]));
  }, maxBatch);
  return { loader, batches };
};

describe('BatchLoader', () => {
  it('answers lookups made together from one batch, each with its own value or undefined', async () => {
    const { loader, batches } = table({ a: 1, b: 2 });
    const values = await Promise.all(['a', 'b', 'a', 'zz'].map((k) => loader.load(k)));
    expect(values).toEqual([1, 2, 1, undefined]);
    expect(batches).toEqual([['a', 'b', 'zz']]);
  });

  it('sends a lookup made after a batch left in the next batch, with the newer data', async () => {
    const rows: Record<string, number> = { a: 1 };
    const { loader, batches } = table(rows);
    expect(await loader.load('a')).toBe(1);
    rows.a = 2;
    expect(await loader.load('a')).toBe(2);
    expect(batches).toEqual([['a'], ['a']]);
  });

  it('splits a large batch', async () => {
    const { loader, batches } = table({ a: 1, b: 2, c: 3 }, 2);
    expect(await Promise.all(['a', 'b', 'c'].map((k) => loader.load(k)))).toEqual([1, 2, 3]);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('fails every lookup of a failed batch, and the next batch still runs', async () => {
    let fail = true;
    const loader = new BatchLoader<string, number>((keys) => {
      if (fail) throw new Error('database down');
      return Promise.resolve(new Map(keys.map((k) => [k, 7])));
    });
    const failed = await Promise.allSettled([loader.load('a'), loader.load('b')]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'database down',
      'database down',
    ]);
    fail = false;
    expect(await loader.load('a')).toBe(7);
  });
});
