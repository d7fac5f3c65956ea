import type { Client } from 'pg';
import { round } from '../stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A feed checkpoint (`tx/position`) as numbers, in the order the feed delivers. */
const parse = (checkpoint: string | null): [bigint, bigint] => {
  if (checkpoint === null) return [0n, 0n];
  const [tx, position] = checkpoint.split('/');
  return [BigInt(tx ?? '0'), BigInt(position ?? '0')];
};
const reached = (checkpoint: string | null, head: [bigint, bigint]): boolean => {
  const [tx, position] = parse(checkpoint);
  return tx > head[0] || (tx === head[0] && position >= head[1]);
};

/** The feed's head as the store reads it: the last event of a committed transaction. */
async function feedHead(db: Client): Promise<[bigint, bigint]> {
  const { rows } = await db.query<{ tx: string; pos: string }>(
    `SELECT tx_id::text AS tx, position::text AS pos FROM ledger_events
     WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id DESC, position DESC LIMIT 1`,
  );
  return rows[0] ? [BigInt(rows[0].tx), BigInt(rows[0].pos)] : [0n, 0n];
}

/**
 * Waits until every projection has applied the feed up to its head as it is now; answers the
 * seconds each took from `since` (performance.now()), by projection name.
 */
export async function waitProjected(db: Client, since: number, timeoutMs = 3_600_000): Promise<Record<string, number>> {
  const head = await feedHead(db);
  const done: Record<string, number> = {};
  const until = performance.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ name: string; checkpoint: string | null }>(
      'SELECT name, checkpoint FROM ledger_projections',
    );
    for (const row of rows)
      if (!(row.name in done) && reached(row.checkpoint, head))
        done[row.name] = round((performance.now() - since) / 1000, 2);
    if (rows.length > 0 && rows.every((r) => r.name in done)) return done;
    if (performance.now() > until) throw new Error('the projections did not catch up');
    await sleep(100);
  }
}

/** The bare table COPY is measured against, kept at the store's size. */
export async function createCopyTable(db: Client): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS bench_copy (
    stream_id text, revision int, event_id uuid, type text, data json, personal json, meta json,
    recorded_at timestamptz, hash text, previous_hash text)`);
}

/** Copies the events written since `after` (a position) into the bare table; answers the last position. */
export async function topUpCopyTable(db: Client, after: number): Promise<number> {
  const { rows } = await db.query<{ last: string | null }>(
    `WITH moved AS (
       INSERT INTO bench_copy
       SELECT stream_id, revision, event_id, type, data, personal, meta, recorded_at, hash, previous_hash
       FROM ledger_events WHERE position > $1 RETURNING 1)
     SELECT (SELECT max(position) FROM ledger_events)::text AS last, (SELECT count(*) FROM moved) AS moved`,
    [after],
  );
  return Number(rows[0]?.last ?? after);
}

export interface DiskFigures {
  /** Bytes by relation: the table, its indexes, its TOAST. */
  readonly relations: Record<string, { table: number; indexes: number; toast: number; total: number }>;
  readonly totalBytes: number;
  readonly bytesPerEvent: number;
  readonly bytesPerPerson: number;
  /** The relation that holds the most bytes. */
  readonly largest: string;
}

/** Bytes on disk of every ledger relation (not the benchmark's own table), per event and per person. */
export async function diskFigures(db: Client, events: number, persons: number): Promise<DiskFigures> {
  const { rows } = await db.query<{ name: string; table: string; indexes: string; total: string }>(
    `SELECT c.relname AS name, pg_relation_size(c.oid)::text AS table,
            pg_indexes_size(c.oid)::text AS indexes, pg_total_relation_size(c.oid)::text AS total
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.relname LIKE 'ledger\\_%'
     ORDER BY pg_total_relation_size(c.oid) DESC`,
  );
  const relations: DiskFigures['relations'] = {};
  let totalBytes = 0;
  for (const r of rows) {
    const [table, indexes, total] = [Number(r.table), Number(r.indexes), Number(r.total)];
    relations[r.name] = { table, indexes, toast: total - table - indexes, total };
    totalBytes += total;
  }
  return {
    relations,
    totalBytes,
    bytesPerEvent: round(totalBytes / events),
    bytesPerPerson: round(totalBytes / persons),
    largest: rows[0]?.name ?? '',
  };
}

/** Events in the store, and persons: the subject-state rows, so once the projections have caught up. */
export async function storeCounts(db: Client): Promise<{ events: number; persons: number; lastPosition: number }> {
  const { rows } = await db.query<{ events: string; last: string | null; state: string | null }>(
    `SELECT count(*)::text AS events, max(position)::text AS last,
            to_regclass('ledger_subject_state')::text AS state FROM ledger_events`,
  );
  const persons = rows[0]!.state
    ? Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_subject_state')).rows[0]!.n)
    : 0;
  return { events: Number(rows[0]!.events), persons, lastPosition: Number(rows[0]!.last ?? 0) };
}
