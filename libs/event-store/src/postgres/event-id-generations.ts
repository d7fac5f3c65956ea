import { BlockedBloom, GenerationFilters, breathe, type UuidHashes } from '#ledger/common';
import type { Pool } from '#ledger/postgres';

/** Event ids a generation holds before it is sealed and the next one opens. */
export const EVENT_ID_GENERATION_SIZE = 500_000;
/** A sealed generation's filter answers "maybe" for about one absent id in a thousand. */
const FALSE_POSITIVE_RATE = 0.001;
const SEAL_LOCK = 'ledger_event_id_seal';
const BUILD_PAGE = 20_000;

/** The open generation as an append saw it, the last position that append was given, and its ids' hashes. */
export interface AppendedInto {
  readonly generation: number;
  readonly openedAfter: bigint;
  readonly lastPosition: bigint;
  readonly ids: readonly UuidHashes[];
}

/** The filter of the open generation's ids this instance appended, and how many appends they came in. */
interface OwnAppends {
  readonly generation: number;
  readonly filter: BlockedBloom;
  readonly capacity: number;
  ids: number;
  appends: number;
}

/**
 * Event ids (the idempotency key, chosen upstream and mostly random) are indexed by
 * (generation, id). An append inserts only into the open generation's part of that index, which
 * is small and stays in memory; one index over every id would take each insert to a random page
 * of an index that outgrows memory as the store grows. Once the open generation has grown by
 * `size` events it is sealed and the next one opens. Each sealed generation gets a Bloom filter,
 * kept in its row and in every instance's memory, so that proving an id new reads no old part of
 * the index; an id a filter cannot rule out, and every generation an instance holds no filter for
 * yet, is probed in the index.
 *
 * Sealing is safe against an append in flight: an append locks the open generation's row
 * (FOR SHARE) in its own statement and inserts nothing when that row was sealed meanwhile, and
 * the seal waits for every append holding the lock. So a sealed generation's ids are final
 * before its filter is built, and an append into the next one sees all of them.
 */
export class EventIdGenerations {
  private readonly filters = new GenerationFilters();
  private work: Promise<void> | null = null;
  private requested: { seal: number | null } | null = null;
  private own: OwnAppends | null = null;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly size: number = EVENT_ID_GENERATION_SIZE,
    /** Told of a seal or a filter build that failed; the next append that finds the work retries it. */
    private readonly onFault: (error: unknown) => void = () => undefined,
  ) {}

  /** Generations below this are ruled out by their filters; from it on, each is probed in the index. */
  get filtered(): number {
    return this.filters.count;
  }

  /** The filtered generations that may hold the id of these hashes (`uuidHashes`; most often none). */
  mayHold(hashes: UuidHashes): readonly number[] {
    return this.filters.mayHold(hashes);
  }

  /** Loads the filters already stored; those not built yet are built in the background. */
  async open(): Promise<void> {
    await this.loadStored();
    this.refresh();
  }

  /** After an append: seals the open generation once full, and takes up generations sealed since. */
  appended(into: AppendedInto): void {
    this.remember(into);
    const full = into.lastPosition - into.openedAfter >= BigInt(this.size);
    if (full || into.generation > this.filters.count) this.refresh(full ? into.generation : null);
  }

  /**
   * Adds the append's ids to this instance's filter of the open generation. When the generation is
   * sealed and every append it holds was one of this instance's, that filter is the generation's,
   * and nothing has to be read back to build it.
   */
  private remember({ generation, ids }: AppendedInto): void {
    if (this.own?.generation !== generation) {
      const capacity = Math.ceil(this.size * 1.25);
      this.own = {
        generation,
        filter: BlockedBloom.sized(capacity, FALSE_POSITIVE_RATE),
        capacity,
        ids: 0,
        appends: 0,
      };
    }
    for (const id of ids) this.own.filter.addHashed(id);
    this.own.ids += ids.length;
    this.own.appends += 1;
  }

  /** Waits for the background work in hand, which stops at its next page. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.work) await this.work;
  }

  /** Runs the background work, one at a time; a request made meanwhile runs once it ends. */
  private refresh(seal: number | null = null): void {
    if (this.closed) return;
    if (this.work) {
      this.requested = { seal: seal ?? this.requested?.seal ?? null };
      return;
    }
    this.work = (async () => {
      if (seal !== null) await this.seal(seal);
      await this.loadStored();
      await this.buildMissing();
    })()
      // A failed seal or build changes nothing: the next append that finds work to do retries it.
      .catch((error: unknown) => this.onFault(error))
      .finally(() => {
        this.work = null;
        const requested = this.requested;
        this.requested = null;
        if (requested) this.refresh(requested.seal);
      });
  }

  /** Seals generation `generation` if it is still the open one and full; one instance at a time. */
  private async seal(generation: number): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [
        SEAL_LOCK,
      ]);
      const open = await client.query<{ generation: number; opened_after: string; head: string }>(
        `SELECT generation, opened_after::text,
                (SELECT coalesce(max(position), 0) FROM ledger_events)::text AS head
         FROM ledger_event_id_generations WHERE NOT sealed`,
      );
      const row = open.rows[0];
      if (
        !locked.rows[0]!.ok ||
        row?.generation !== generation ||
        BigInt(row.head) - BigInt(row.opened_after) < BigInt(this.size)
      ) {
        await client.query('ROLLBACK');
        return;
      }
      // Waits for the appends that hold the open row; later ones wait for this commit, then retry.
      await client.query('UPDATE ledger_event_id_generations SET sealed = true WHERE generation = $1', [generation]);
      // Read after that wait, so that the sealed generation's every event is at or below it, and
      // every event of the next one above it: a generation is a range of positions.
      await client.query(
        `INSERT INTO ledger_event_id_generations (generation, opened_after)
         SELECT $1, coalesce(max(position), 0) FROM ledger_events`,
        [generation + 1],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Takes up, in order, the filters stored for the generations after those already held. */
  private async loadStored(): Promise<void> {
    const { rows } = await this.pool.query<{ generation: number; bloom: Buffer | null }>(
      `SELECT generation, bloom FROM ledger_event_id_generations WHERE sealed AND generation >= $1 ORDER BY generation`,
      [this.filters.count],
    );
    for (const row of rows) {
      if (row.generation !== this.filters.count || !row.bloom) return;
      this.filters.add(BlockedBloom.fromBytes(row.bloom));
    }
  }

  /** Builds and stores the filter of each sealed generation that has none yet, in order. */
  private async buildMissing(): Promise<void> {
    for (;;) {
      const generation = this.filters.count;
      const sealed = await this.sealedGeneration(generation);
      if (!sealed) return;
      const filter = (await this.ownFilter(generation, sealed.batched)) ?? (await this.readFilter(generation, sealed));
      if (!filter) return;
      // Whichever instance stores a generation's filter first, every instance then uses that one.
      await this.pool.query(
        'UPDATE ledger_event_id_generations SET bloom = $2 WHERE generation = $1 AND bloom IS NULL',
        [generation, filter.toBytes()],
      );
      await this.pool.query('DELETE FROM ledger_event_id_batches WHERE generation = $1', [generation]);
      await this.loadStored();
      if (this.filters.count === generation) return;
    }
  }

  /**
   * This instance's filter of a sealed generation, when every append the generation holds was this
   * instance's: each append writes one row of ids in its own statement, so equal counts mean the
   * same appends. (An append whose answer was lost is not counted, and the filter is then read.)
   */
  private async ownFilter(generation: number, batched: boolean): Promise<BlockedBloom | null> {
    const own = this.own;
    if (!batched || own?.generation !== generation || own.ids > own.capacity) return null;
    const { rows } = await this.pool.query<{ appends: number }>(
      'SELECT count(*)::int AS appends FROM ledger_event_id_batches WHERE generation = $1',
      [generation],
    );
    return rows[0]!.appends === own.appends ? own.filter : null;
  }

  /** A sealed generation's filter read back from its written-down ids or its events; null once closed. */
  private async readFilter(
    generation: number,
    sealed: { after: bigint; last: bigint; batched: boolean },
  ): Promise<BlockedBloom | null> {
    // Sized for the generation's range of positions, which holds its ids and the gaps of aborted appends.
    const filter = BlockedBloom.sized(Number(sealed.last - sealed.after), FALSE_POSITIVE_RATE);
    const add = (id: string) => filter.add(id);
    const whole = sealed.batched ? await this.readBatched(generation, add) : await this.readRange(sealed, add);
    return whole ? filter : null;
  }

  /** A sealed generation: its positions (after its opening, up to where the next one opened). */
  private async sealedGeneration(
    generation: number,
  ): Promise<{ after: bigint; last: bigint; batched: boolean } | null> {
    const { rows } = await this.pool.query<{ after: string; last: string; batched: boolean }>(
      `SELECT g.opened_after::text AS after, next.opened_after::text AS last, g.batched
       FROM ledger_event_id_generations g
       JOIN ledger_event_id_generations next ON next.generation = g.generation + 1
       WHERE g.generation = $1 AND g.sealed`,
      [generation],
    );
    const row = rows[0];
    return row ? { after: BigInt(row.after), last: BigInt(row.last), batched: row.batched } : null;
  }

  /** The generation's ids as its appends wrote them down. */
  private async readBatched(generation: number, add: (id: string) => void): Promise<boolean> {
    const { rows } = await this.pool.query<{ ids: string }>(
      `SELECT array_to_string(ids, ',') AS ids FROM ledger_event_id_batches WHERE generation = $1`,
      [generation],
    );
    for (const row of rows) {
      if (this.closed) return false;
      row.ids.split(',').forEach(add);
      await breathe();
    }
    return true;
  }

  /** The generation's ids read from its events, in position order: the heap as it was written. */
  private async readRange(range: { after: bigint; last: bigint }, add: (id: string) => void): Promise<boolean> {
    for (let after = range.after; after < range.last;) {
      if (this.closed) return false;
      const { rows } = await this.pool.query<{ event_id: string; position: string }>(
        `SELECT event_id, position::text FROM ledger_events
         WHERE position > $1 AND position <= $2 ORDER BY position LIMIT ${BUILD_PAGE}`,
        [after.toString(), range.last.toString()],
      );
      if (rows.length === 0) break;
      for (const row of rows) add(row.event_id);
      after = BigInt(rows[rows.length - 1]!.position);
      await breathe();
    }
    return true;
  }
}
