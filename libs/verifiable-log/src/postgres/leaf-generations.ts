import { BlockedBloom, GenerationFilters, breathe, textHashes, uuidHashes, type UuidHashes } from '#ledger/common';
import { safeErrorSummary, type Pool } from '#ledger/postgres';
import type { LeafKind } from '../leaves';

/** Leaves a generation holds before the next one opens. */
export const LEAF_GENERATION_SIZE = 500_000;
/** A sealed generation's filter answers "maybe" for about one absent source in a thousand. */
const FALSE_POSITIVE_RATE = 0.001;
const BUILD_PAGE = 20_000;
/** How often an instance looks for filters other instances stored, when it has generations without one. */
const RECHECK_MS = 1000;

/** An event's source is its id, a UUID; an access entry's is its sequence number. */
export const sourceHashes = (kind: LeafKind, sourceId: string): UuidHashes =>
  kind === 'event' ? uuidHashes(sourceId) : textHashes(sourceId);

/** The log line of a failed filter build: its error's name and SQLSTATE, never a value it may quote. */
export const leafIndexFaultLine = (error: unknown): string =>
  `verifiable log's leaf index: a filter build failed (${safeErrorSummary(error)}); ` +
  'it is retried, and the index answers meanwhile';

/** The open generation, as read under the append lock. */
export interface OpenGeneration {
  readonly generation: number;
  readonly firstIndex: number;
}

/** Where an append's leaves go: the open generation, or the next one when the open one is full. */
export interface Placement {
  readonly generation: number;
  /** A generation this append opens at its first leaf, sealing the one before. */
  readonly opens: boolean;
}

/**
 * The leaves' sources (event ids, chosen upstream and mostly random) are unique by (generation,
 * kind, source). An append inserts only into the open generation's part of that index, which is
 * small and stays in memory; one index over every source would take each insert to a random page
 * of an index that outgrows memory as the log grows. Appends are serialised by the tree's lock
 * and log indexes are gapless, so a generation is a range of log indexes: the append that finds
 * the open one full opens the next at its first leaf, and nothing more is needed to seal it.
 *
 * Each sealed generation gets a Bloom filter of its sources, read back from its leaves in log
 * order once its opening has committed, kept in its row and in every instance's memory. A source
 * a filter cannot rule out, and every generation an instance holds no filter for yet, is probed
 * in the index, so the answers never depend on the filters being there.
 */
export class LeafGenerations {
  private readonly filters = new GenerationFilters();
  /** The highest generation this instance has seen opened. */
  private newest = 0;
  private work: Promise<void> | null = null;
  private checkedAt = 0;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly size: number = LEAF_GENERATION_SIZE,
    /** Told of a filter build that failed; it is retried later. */
    private readonly onFault: (error: unknown) => void = () => undefined,
  ) {}

  /** Generations below this are ruled out by their filters; from it on, each is probed in the index. */
  get filtered(): number {
    return this.filters.count;
  }

  /** The filtered generations that may hold this source (most often none). */
  mayHold(hashes: UuidHashes): readonly number[] {
    return this.filters.mayHold(hashes);
  }

  /** Loads the filters stored already; those not built yet are built once an append or a lookup comes. */
  async open(): Promise<void> {
    await this.loadStored();
  }

  /** Where leaves appended to a tree of `size` go, given the open generation read under the lock. */
  place(open: OpenGeneration, size: number): Placement {
    this.seen(open.generation);
    return size - open.firstIndex >= this.size
      ? { generation: open.generation + 1, opens: true }
      : { generation: open.generation, opens: false };
  }

  /** Notes the newest generation an append saw, and takes up sealed ones it has no filter for. */
  seen(newest: number): void {
    this.newest = Math.max(this.newest, newest);
    if (this.newest > this.filters.count) this.refresh();
  }

  /** Looks, now and then, for generations sealed by other instances (an instance that only reads). */
  poll(): void {
    this.refresh();
  }

  /** Waits for the background work in hand, which stops at its next page. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.work) await this.work;
  }

  /** Loads and builds missing filters in the background, one run at a time, at most every RECHECK_MS. */
  private refresh(): void {
    if (this.closed || this.work || Date.now() - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = Date.now();
    this.work = (async () => {
      await this.loadStored();
      if (this.newest > this.filters.count) await this.buildMissing();
    })()
      // A failed build changes nothing: the generation is probed in the index until a later one succeeds.
      .catch((error: unknown) => this.onFault(error))
      .finally(() => {
        this.work = null;
      });
  }

  /** Takes up, in order, the filters stored for the generations after those already held. */
  private async loadStored(): Promise<void> {
    const { rows } = await this.pool.query<{ generation: number; filter: Buffer | null }>(
      `SELECT generation, filter FROM ledger_tree_leaf_generations WHERE generation >= $1 ORDER BY generation`,
      [this.filters.count],
    );
    for (const row of rows) {
      this.newest = Math.max(this.newest, row.generation);
      if (row.generation === this.filters.count && row.filter) this.filters.add(BlockedBloom.fromBytes(row.filter));
    }
  }

  /**
   * Builds and stores the filter of each sealed generation that has none yet, in order, a page
   * of leaves per statement: no connection is held through a build, since the projections share
   * the pool. Two instances may build the same one at once; the first stored is the one used.
   */
  private async buildMissing(): Promise<void> {
    while (!this.closed) {
      const generation = this.filters.count;
      const range = await sealedRange(this.pool, generation);
      if (!range) return;
      const filter = await this.readFilter(range);
      if (!filter) return;
      await this.pool.query(
        'UPDATE ledger_tree_leaf_generations SET filter = $2 WHERE generation = $1 AND filter IS NULL',
        [generation, filter.toBytes()],
      );
      await this.loadStored();
      if (this.filters.count === generation) return;
    }
  }

  /** A sealed generation's filter, from its leaves in log order (the table as it was written); null once closed. */
  private async readFilter(range: { first: number; end: number }): Promise<BlockedBloom | null> {
    const filter = BlockedBloom.sized(range.end - range.first, FALSE_POSITIVE_RATE);
    for (let from = range.first; from < range.end; from += BUILD_PAGE) {
      if (this.closed) return null;
      const { rows } = await this.pool.query<{ kind: LeafKind; source_id: string }>(
        `SELECT kind, source_id FROM ledger_tree_leaves WHERE log_index >= $1 AND log_index < $2`,
        [from, Math.min(range.end, from + BUILD_PAGE)],
      );
      for (const row of rows) filter.addHashed(sourceHashes(row.kind, row.source_id));
      await breathe();
    }
    return filter;
  }
}

/** A sealed generation still without a filter: its log indexes, from its first leaf up to the next generation's. */
async function sealedRange(pool: Pool, generation: number): Promise<{ first: number; end: number } | null> {
  const { rows } = await pool.query<{ first: string; end: string }>(
    `SELECT g.first_index::text AS first, next.first_index::text AS end
     FROM ledger_tree_leaf_generations g
     JOIN ledger_tree_leaf_generations next ON next.generation = g.generation + 1
     WHERE g.generation = $1 AND g.filter IS NULL`,
    [generation],
  );
  const row = rows[0];
  return row ? { first: Number(row.first), end: Number(row.end) } : null;
}

/**
 * The leaves of the probed sources, as (kind, source_id, log_index): every generation from
 * `$6` to the open one is probed for each of `$4`/`$5`, and each earlier one only where named in
 * `$1`–`$3` (where its filter says "maybe"). `LATERAL … LIMIT 1` keeps each probe one index descent.
 */
export const FOUND_LEAVES_SQL = `
  probe AS (
    SELECT p.kind, p.source_id, p.generation
    FROM unnest($1::text[], $2::text[], $3::int[]) AS p (kind, source_id, generation)
    UNION ALL
    SELECT s.kind, s.source_id, g.generation
    FROM unnest($4::text[], $5::text[]) AS s (kind, source_id),
         generate_series($6::int, (SELECT max(generation) FROM ledger_tree_leaf_generations)) AS g (generation)
  ),
  found AS (
    SELECT probe.kind, probe.source_id, leaf.log_index
    FROM probe CROSS JOIN LATERAL (
      SELECT l.log_index FROM ledger_tree_leaves l
      WHERE l.generation = probe.generation AND l.kind = probe.kind AND l.source_id = probe.source_id
      LIMIT 1
    ) AS leaf
  )`;

/** The parameters `$1`–`$6` of `FOUND_LEAVES_SQL` for these sources. */
export function probeParameters(
  generations: LeafGenerations,
  sources: ReadonlyArray<{ readonly kind: LeafKind; readonly sourceId: string }>,
): unknown[] {
  const kinds: string[] = [];
  const ids: string[] = [];
  const gens: number[] = [];
  for (const { kind, sourceId } of sources) {
    for (const g of generations.mayHold(sourceHashes(kind, sourceId))) {
      kinds.push(kind);
      ids.push(sourceId);
      gens.push(g);
    }
  }
  return [kinds, ids, gens, sources.map((s) => s.kind), sources.map((s) => s.sourceId), generations.filtered];
}
