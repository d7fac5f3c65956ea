export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
