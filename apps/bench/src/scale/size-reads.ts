import type { Client } from 'pg';
import { BENCH_TOKENS } from '../ledger-server';
import { erasedPerson, refOf } from './envelopes';
import { getText, pick, readLatencies, type Latencies } from '../reads';

/** How long each read figure is measured, in ms (BENCH_SCALE_READ_MS). */
const WINDOW = Number(process.env.BENCH_SCALE_READ_MS ?? 5000);

export interface ReadFigures {
  readonly stateSerial: Latencies;
  readonly stateC8: Latencies;
  readonly trailSerial: Latencies;
  readonly trailC8: Latencies;
  readonly heavyTrail: Latencies;
  readonly refSerial: Latencies;
  readonly refC8: Latencies;
  readonly requestsOverdue: Latencies & { readonly rows: number };
  /** null: the route answers 404 (not built in this version). */
  readonly compliance: Latencies | null;
  readonly proof: Latencies;
}

/** Random persons of the store (not erased: their refs are forgotten), from the ref directory. */
async function samplePersons(db: Client, count: number): Promise<string[]> {
  const { rows } = await db.query<{ subject_id: string }>(
    'SELECT subject_id FROM ledger_subject_refs TABLESAMPLE SYSTEM (5) LIMIT $1',
    [count],
  );
  if (rows.length >= count / 4) return rows.map((r) => r.subject_id);
  return (
    await db.query<{ subject_id: string }>('SELECT subject_id FROM ledger_subject_refs ORDER BY random() LIMIT $1', [
      count,
    ])
  ).rows.map((r) => r.subject_id);
}

/** Random events already in the latest signed tree. */
async function sampleLeaves(db: Client, count: number): Promise<string[]> {
  const { rows: size } = await db.query<{ n: string | null }>(
    'SELECT max(tree_size)::text AS n FROM ledger_tree_checkpoints',
  );
  const treeSize = Number(size[0]?.n ?? 0);
  if (treeSize === 0) throw new Error('no signed checkpoint yet');
  const indexes = Array.from({ length: count }, () => Math.floor(Math.random() * treeSize));
  const { rows } = await db.query<{ source_id: string }>(
    "SELECT source_id FROM ledger_tree_leaves WHERE kind = 'event' AND log_index = ANY($1::bigint[])",
    [indexes],
  );
  return rows.map((r) => r.source_id);
}

/** Every read figure at this size, on a running service; `persons` is how many persons the loader wrote. */
export async function sizeReads(base: string, db: Client, persons: number, heavyId: string): Promise<ReadFigures> {
  const ids = await samplePersons(db, 5000);
  const auditor = BENCH_TOKENS.auditor;
  const load = (path: () => string, concurrency: number, token = auditor, maxRequests?: number) =>
    readLatencies({ base, token, path, concurrency, durationMs: WINDOW, ...(maxRequests ? { maxRequests } : {}) });
  // V8 optimises the read paths as they run: a warm-up of each, not counted.
  await load(() => `/v1/subjects/${pick(ids)}`, 1);
  await load(() => `/v1/subjects/${pick(ids)}/trail`, 1);
  const liveRef = () => {
    let n = Math.floor(Math.random() * persons);
    while (erasedPerson(n)) n = Math.floor(Math.random() * persons);
    return `/v1/subjects?ref=${encodeURIComponent(refOf(n))}`;
  };
  const stateSerial = await load(() => `/v1/subjects/${pick(ids)}`, 1);
  const stateC8 = await load(() => `/v1/subjects/${pick(ids)}`, 8);
  const trailSerial = await load(() => `/v1/subjects/${pick(ids)}/trail`, 1);
  const trailC8 = await load(() => `/v1/subjects/${pick(ids)}/trail`, 8);
  const heavyTrail = await load(() => `/v1/subjects/${heavyId}/trail`, 1, auditor, 200);
  const refSerial = await load(liveRef, 1);
  const refC8 = await load(liveRef, 8);
  const overdue = await getText(base, '/v1/requests?status=overdue', BENCH_TOKENS.dpo);
  const rows = (JSON.parse(overdue.body) as { requests?: unknown[] }).requests?.length ?? 0;
  // One page: its cost should not follow the register's length.
  const requestsOverdue = {
    ...(await load(() => '/v1/requests?status=overdue&limit=100', 1, BENCH_TOKENS.dpo, 100)),
    rows,
  };
  const complianceProbe = await getText(base, '/v1/compliance', BENCH_TOKENS.dpo);
  const compliance =
    complianceProbe.status === 404 ? null : await load(() => '/v1/compliance', 1, BENCH_TOKENS.dpo, 50);
  const leaves = await sampleLeaves(db, 2000);
  const proof = await load(() => `/v1/proofs/inclusion?eventId=${pick(leaves)}`, 1);
  return {
    stateSerial,
    stateC8,
    trailSerial,
    trailC8,
    heavyTrail,
    refSerial,
    refC8,
    requestsOverdue,
    compliance,
    proof,
  };
}
