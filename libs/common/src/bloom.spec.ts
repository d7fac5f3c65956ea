import { randomUUID } from 'node:crypto';
import { uuidv7 } from './uuid-v7';
import { BlockedBloom, GenerationFilters, textHashes, uuidHashes } from './bloom';

describe('BlockedBloom', () => {
  it('never answers "absent" for an id it holds, random or time-ordered, and survives its bytes', () => {
    const ids = [...Array.from({ length: 5000 }, () => randomUUID()), ...Array.from({ length: 5000 }, () => uuidv7())];
    const bloom = BlockedBloom.sized(ids.length, 0.001);
    ids.forEach((id) => bloom.add(id));
    const read = BlockedBloom.fromBytes(bloom.toBytes());
    expect(ids.filter((id) => !bloom.mayHold(id))).toEqual([]);
    expect(ids.filter((id) => !read.mayHold(id))).toEqual([]);
  });

  it.each([0.01, 0.001])('answers "maybe" for ids it does not hold at about the rate it was sized for (%s)', (rate) => {
    const bloom = BlockedBloom.sized(20_000, rate);
    for (let i = 0; i < 20_000; i++) bloom.add(i % 2 ? randomUUID() : uuidv7());
    const probes = 200_000;
    let maybes = 0;
    for (let i = 0; i < probes; i++) if (bloom.mayHold(i % 2 ? randomUUID() : uuidv7())) maybes += 1;
    expect(maybes / probes).toBeLessThan(rate * 2);
    expect(maybes).toBeGreaterThan(0);
  });

  it('holds text keys too, consecutive numbers included, with few false "maybe"s', () => {
    const bloom = BlockedBloom.sized(20_000, 0.001);
    for (let i = 0; i < 20_000; i++) bloom.addHashed(textHashes(String(1_000_000 + i)));
    const absent = [];
    for (let i = 0; i < 20_000; i++) if (!bloom.mayHoldHashed(textHashes(String(1_000_000 + i)))) absent.push(i);
    expect(absent).toEqual([]);
    let maybes = 0;
    for (let i = 0; i < 200_000; i++) if (bloom.mayHoldHashed(textHashes(String(2_000_000 + i)))) maybes += 1;
    expect(maybes / 200_000).toBeLessThan(0.002);
  });

  it('refuses bytes that are not a whole filter', () => {
    expect(() => BlockedBloom.fromBytes(Buffer.from([7, 0, 0]))).toThrow(/whole 64-byte blocks/);
    expect(() => BlockedBloom.fromBytes(Buffer.alloc(1 + 64 + 3))).toThrow(/whole 64-byte blocks/);
  });
});

describe('GenerationFilters', () => {
  it('names the generations whose filters may hold a key, in order, and none for a key of none', () => {
    const ids = Array.from({ length: 3 }, () => Array.from({ length: 100 }, () => randomUUID()));
    const filters = new GenerationFilters();
    for (const generation of ids) {
      // Sized so that a false "maybe" among the few keys asked is out of the question.
      const bloom = BlockedBloom.sized(100, 1e-6);
      generation.forEach((id) => bloom.add(id));
      filters.add(bloom);
    }
    expect(filters.count).toBe(3);
    expect(ids.map((generation) => filters.mayHold(uuidHashes(generation[7]!)))).toEqual([[0], [1], [2]]);
    const absent = Array.from({ length: 1000 }, () => filters.mayHold(uuidHashes(randomUUID())));
    expect(absent.filter((g) => g.length > 0).length).toBeLessThan(20);
  });
});
