import { median, percentile } from './stats';

describe('bench statistics', () => {
  it('takes the middle window of an odd count, the mean of the two middle ones of an even count', () => {
    expect(median([5200, 3100, 4400])).toBe(4400);
    expect(median([3, 1, 4, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('leaves the windows it is given in their order', () => {
    const windows = [3, 1, 2];
    median(windows);
    expect(windows).toEqual([3, 1, 2]);
  });

  it('reads a percentile off sorted latencies, nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([], 99)).toBeNaN();
  });
});
