import { chartSvg, short } from './chart';

describe('the scale chart', () => {
  const points = (values: Array<number | null>) =>
    [100_000, 1_000_000, 10_000_000].map((events, i) => ({ events, value: values[i]! }));

  it('draws one panel per figure, its points on a log-x axis', () => {
    const svg = chartSvg('t', [
      { title: 'append', unit: 'events/s', points: points([10, 20, 30]) },
      { title: 'rss', unit: 'MB', points: points([1, 1, 1]) },
    ]);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].slice(0, 3).map((m) => Number(m[1]));
    // A tenfold step is the same distance wherever it is on the axis.
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 6);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('says so where a figure was not measured, and escapes titles', () => {
    const svg = chartSvg('a <b>', [{ title: 'compliance & co', unit: 'ms', points: points([null, null, null]) }]);
    expect(svg).toContain('not measured');
    expect(svg).toContain('compliance &amp; co');
    expect(svg).toContain('a &lt;b&gt;');
    expect(svg).not.toContain('<polyline');
  });

  it('labels sizes shortly', () => {
    expect([short(100_000), short(1_000_000), short(10_000_000), short(2.5), short(1234)]).toEqual([
      '100k',
      '1M',
      '10M',
      '2.5',
      '1.23k',
    ]);
  });
});
