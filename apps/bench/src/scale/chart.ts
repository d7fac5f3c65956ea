/** One figure's values against the store's size (events), for one panel of the chart. */
export interface Series {
  readonly title: string;
  readonly unit: string;
  readonly points: ReadonlyArray<{ readonly events: number; readonly value: number | null }>;
}

const W = 260;
const H = 170;
const PAD = { left: 46, right: 12, top: 26, bottom: 30 };
const COLUMNS = 4;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 12,345 → "12.3k", for axis labels. */
export function short(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${+(n / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${+n.toPrecision(3)}`;
}

/** One panel: a log-x axis over the sizes measured, a linear y axis from 0, the values joined. */
function panel(series: Series, x0: number, y0: number, sizes: readonly number[]): string {
  const known = series.points.filter((p): p is { events: number; value: number } => p.value !== null);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const [lo, hi] = [Math.log10(Math.min(...sizes)), Math.log10(Math.max(...sizes))];
  const x = (events: number) =>
    x0 + PAD.left + (hi === lo ? plotW / 2 : ((Math.log10(events) - lo) / (hi - lo)) * plotW);
  const top = Math.max(...known.map((p) => p.value), 0) * 1.15 || 1;
  const y = (v: number) => y0 + PAD.top + plotH - (v / top) * plotH;
  const out = [
    `<text x="${x0 + 8}" y="${y0 + 16}" class="t">${escape(series.title)} (${escape(series.unit)})</text>`,
    `<line x1="${x0 + PAD.left}" y1="${y(0)}" x2="${x0 + W - PAD.right}" y2="${y(0)}" class="a"/>`,
    `<line x1="${x0 + PAD.left}" y1="${y(0)}" x2="${x0 + PAD.left}" y2="${y0 + PAD.top}" class="a"/>`,
    `<text x="${x0 + PAD.left - 4}" y="${y(top) + 4}" class="l" text-anchor="end">${short(top)}</text>`,
    `<text x="${x0 + PAD.left - 4}" y="${y(0) + 4}" class="l" text-anchor="end">0</text>`,
  ];
  for (const s of sizes)
    out.push(`<text x="${x(s)}" y="${y(0) + 14}" class="l" text-anchor="middle">${short(s)}</text>`);
  if (known.length === 0) out.push(`<text x="${x0 + W / 2}" y="${y0 + H / 2}" class="l">not measured</text>`);
  if (known.length > 1)
    out.push(`<polyline class="p" points="${known.map((p) => `${x(p.events)},${y(p.value)}`).join(' ')}"/>`);
  for (const p of known) {
    out.push(`<circle cx="${x(p.events)}" cy="${y(p.value)}" r="3" class="d"/>`);
    out.push(`<text x="${x(p.events)}" y="${y(p.value) - 6}" class="v" text-anchor="middle">${short(p.value)}</text>`);
  }
  return out.join('\n');
}

/** The chart: one small panel per figure against the store's size in events, on a log scale. */
export function chartSvg(title: string, series: readonly Series[]): string {
  const sizes = [...new Set(series.flatMap((s) => s.points.map((p) => p.events)))].filter((n) => n > 0);
  const rows = Math.ceil(series.length / COLUMNS);
  const width = COLUMNS * W;
  const height = rows * H + 40;
  const panels = series.map((s, i) => panel(s, (i % COLUMNS) * W, 40 + Math.floor(i / COLUMNS) * H, sizes));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<style>text{font-family:sans-serif}.t{font-size:11px;font-weight:bold}.l{font-size:9px;fill:#555}' +
      '.v{font-size:9px}.a{stroke:#999}.p{fill:none;stroke:#1f77b4;stroke-width:2}.d{fill:#1f77b4}</style>',
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="8" y="24" style="font-size:15px">${escape(title)}</text>`,
    ...panels,
    '</svg>',
  ].join('\n');
}
