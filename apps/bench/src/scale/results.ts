import { round } from '../stats';
import type { Series } from './chart';
import type { LoadFigures } from './bulk-loader';
import type { ReadFigures } from './size-reads';
import type { DiskFigures } from './store-figures';

/** Everything measured at one size of the store. */
export interface SizeResult {
  readonly size: number;
  /** Events in the store when the fill ended (the measurements then add their own). */
  readonly eventsAtFill: number;
  readonly events: number;
  readonly persons: number;
  readonly loaded: LoadFigures;
  /** Medians of the windows; each window's rate in `windows`. */
  readonly appended: {
    readonly append: number;
    readonly copy: number;
    readonly windows: { readonly append: readonly number[]; readonly copy: readonly number[] };
  };
  readonly service: {
    readonly startSeconds: number;
    /** Seconds from the service's start until each projection had applied the fill. */
    readonly caughtUp: Record<string, number>;
    readonly catchUpRss: number;
    /** The median of the windows; each window's rate in `windows`, `envelopes` over all of them. */
    readonly kafka: { readonly eps: number; readonly envelopes: number; readonly windows: readonly number[] };
    /** The median of the windows, each in `httpWindows`. */
    readonly http: number;
    readonly httpWindows: readonly number[];
    readonly reads: ReadFigures;
    readonly rssPeakMb: number;
  };
  /** Events the service's projections applied from the feed at its start (the fill and the append). */
  readonly caughtUpEvents: number;
  readonly rebuild: { readonly eps: number; readonly rssPeakMb: number };
  readonly disk: DiskFigures;
}

/** Each figure as one panel's series, in the order the chart shows them. */
export function figureSeries(results: readonly SizeResult[]): Series[] {
  const s = (title: string, unit: string, value: (r: SizeResult) => number | null | undefined): Series => ({
    title,
    unit,
    points: results.map((r) => ({ events: r.eventsAtFill, value: value(r) ?? null })),
  });
  const reads = (r: SizeResult) => r.service.reads;
  return [
    s('batch append', 'events/s', (r) => r.appended.append),
    s('append ÷ COPY', 'ratio', (r) => round(r.appended.append / r.appended.copy, 3)),
    s('Kafka ingestion', 'envelopes/s', (r) => r.service.kafka.eps),
    s('Kafka ÷ COPY', 'ratio', (r) => round(r.service.kafka.eps / r.appended.copy, 3)),
    s('HTTP batch ingestion', 'envelopes/s', (r) => r.service.http),
    s('bulk load (writer)', 'envelopes/s', (r) => r.loaded.eps),
    s('projection catch-up', 'events/s', (r) => catchUpEps(r)),
    s('tree build (catch-up)', 'leaves/s', (r) => treeEps(r)),
    s('state GET p50 serial', 'ms', (r) => reads(r).stateSerial.p50),
    s('state GET p99 serial', 'ms', (r) => reads(r).stateSerial.p99),
    s('state GET p99, 8 at once', 'ms', (r) => reads(r).stateC8.p99),
    s('trail GET p99 serial', 'ms', (r) => reads(r).trailSerial.p99),
    s('trail GET p99, 8 at once', 'ms', (r) => reads(r).trailC8.p99),
    s('trail of 1,000 events p99', 'ms', (r) => reads(r).heavyTrail.p99),
    s('ref lookup p99 serial', 'ms', (r) => reads(r).refSerial.p99),
    s('ref lookup p99, 8 at once', 'ms', (r) => reads(r).refC8.p99),
    s('requests overdue, a page of 100, p99', 'ms', (r) => reads(r).requestsOverdue.p99),
    s('compliance p99', 'ms', (r) => reads(r).compliance?.p99),
    s('inclusion proof p99', 'ms', (r) => reads(r).proof.p99),
    s('rebuild subject-state', 'events/s', (r) => r.rebuild.eps),
    s('rebuild peak RSS', 'MB', (r) => r.rebuild.rssPeakMb),
    s('service peak RSS', 'MB', (r) => r.service.rssPeakMb),
    s('on disk per event', 'bytes', (r) => r.disk.bytesPerEvent),
    s('on disk per person', 'bytes', (r) => r.disk.bytesPerPerson),
  ];
}

const catchUpEps = (r: SizeResult): number | null => {
  const slowest = Math.max(...Object.values(r.service.caughtUp));
  return slowest > 0 ? round(r.caughtUpEvents / slowest) : null;
};
const treeEps = (r: SizeResult): number | null => {
  const seconds = r.service.caughtUp['verifiable-log'];
  return seconds ? round(r.caughtUpEvents / seconds) : null;
};

const perCopy = (r: SizeResult, eps: number): number => eps / r.appended.copy;

/** The parts of the ledger a relation belongs to, by its name's prefix; the rest are read models. */
const PARTS: ReadonlyArray<readonly [part: string, prefixes: readonly string[]]> = [
  ['events', ['ledger_events', 'ledger_event_id_']],
  ['verifiable log', ['ledger_tree_']],
  ['keys and refs', ['ledger_data_keys', 'ledger_subject_refs']],
  ['access log', ['ledger_access_log']],
];

/**
 * Bytes per event of each part of the ledger (the events with their indexes, the verifiable log,
 * the data keys and the ref directory, the access log, the read models), largest first: what
 * dominates the bytes on disk.
 */
export function diskParts(relations: DiskFigures['relations'], events: number): Array<[string, number]> {
  const parts = new Map<string, number>();
  for (const [name, { total }] of Object.entries(relations)) {
    const part = PARTS.find(([, prefixes]) => prefixes.some((p) => name.startsWith(p)))?.[0] ?? 'read models';
    parts.set(part, (parts.get(part) ?? 0) + total);
  }
  return [...parts].map(([part, bytes]): [string, number] => [part, round(bytes / events)]).sort((a, b) => b[1] - a[1]);
}

/** A goal of issue 26: the ratio measured and whether it holds. */
interface Goal {
  readonly ratio: number | null;
  readonly goal: string;
  readonly met: boolean | null;
}

const goal = (ratio: number, want: (r: number) => boolean, text: string): Goal =>
  Number.isFinite(ratio)
    ? { ratio: round(ratio, 3), goal: text, met: want(ratio) }
    : { ratio: null, goal: text, met: null };

/**
 * The goals, as ratios between the largest and the smallest size of this run (10M against
 * 100k at the default sizes; the rebuild against the size before the largest).
 */
export function goals(results: readonly SizeResult[]): Record<string, Goal | number | string> {
  const small = results[0]!;
  const large = results[results.length - 1]!;
  const before = results[results.length - 2] ?? small;
  // The envelopes' size as sent, over every size that loaded any.
  const loads = results.filter((r) => r.loaded.envelopes > 0);
  const jsonBytes =
    loads.reduce((sum, r) => sum + r.loaded.envelopeJsonBytes * r.loaded.envelopes, 0) /
    loads.reduce((sum, r) => sum + r.loaded.envelopes, 0);
  const ge = (min: number) => (r: number) => r >= min;
  const le = (max: number) => (r: number) => r <= max;
  const byPart = diskParts(large.disk.relations, large.events)
    .map(([part, bytes]) => `${part} ${bytes}`)
    .join(', ');
  return {
    compared: `${large.eventsAtFill} events against ${small.eventsAtFill}`,
    append_large_vs_small: goal(large.appended.append / small.appended.append, ge(0.8), '≥ 0.8'),
    // The same, each rate first divided by the COPY measured at its size: the machine's speed cancels out.
    append_per_copy_large_vs_small: goal(
      perCopy(large, large.appended.append) / perCopy(small, small.appended.append),
      ge(0.8),
      '≥ 0.8',
    ),
    kafka_per_copy_large_vs_small: goal(
      perCopy(large, large.service.kafka.eps) / perCopy(small, small.service.kafka.eps),
      ge(0.8),
      '≥ 0.8',
    ),
    kafka_large_vs_small: goal(large.service.kafka.eps / small.service.kafka.eps, ge(0.8), '≥ 0.8'),
    http_large_vs_small: goal(large.service.http / small.service.http, ge(0.8), '≥ 0.8'),
    state_p99_large_vs_small: goal(
      large.service.reads.stateSerial.p99 / small.service.reads.stateSerial.p99,
      le(1.5),
      '≤ 1.5 (serial)',
    ),
    ref_p99_large_vs_small: goal(
      large.service.reads.refSerial.p99 / small.service.reads.refSerial.p99,
      le(1.5),
      '≤ 1.5',
    ),
    rebuild_rss_mb_largest: goal(large.rebuild.rssPeakMb, le(512), '≤ 512 MB'),
    rebuild_eps_large_vs_previous: goal(large.rebuild.eps / before.rebuild.eps, ge(0.8), '≥ 0.8'),
    disk_per_event_vs_envelope_json: goal(
      large.disk.bytesPerEvent / jsonBytes,
      le(2),
      `≤ 2 (largest relation: ${large.disk.largest}; bytes per event by part: ${byPart})`,
    ),
    envelope_json_bytes: round(jsonBytes),
    append_vs_copy_largest: round(large.appended.append / large.appended.copy, 3),
    kafka_vs_copy_largest: round(large.service.kafka.eps / large.appended.copy, 3),
  };
}
