import { Client } from 'pg';
import { breathe, uuidHashes, type UuidHashes } from '#ledger/common';
import { createPool, isTransientFault, migrate, pgErrorOf, type Pool } from '#ledger/postgres';
import { ConcurrencyError, StoreUnavailableError } from '../errors';
import {
  storedEvent,
  type AppendResult,
  type Checkpoint,
  type FeedHead,
  type EventStore,
  type NewEvent,
  type StoredEnvelope,
  type StoredEvent,
  type StreamAppend,
} from '../event-store.port';
import { assertCanonicalEventIds, eventHash } from '../hash-chain';
import { EventIdGenerations } from './event-id-generations';
import { EVENT_STORE_MIGRATIONS } from './postgres-event-store.migrations';

const CHANNEL = 'ledger_events';

interface EventRow {
  pos: string;
  tx: string;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  personal: Record<string, unknown> | null;
  meta: StoredEvent['meta'];
  recorded_at: string;
  hash: string;
  previous_hash: string | null;
}

// Aliased: an output column named like a table column would win in ORDER BY, sorting as text.
// recorded_at comes back already in the form it was hashed in (toISOString's), not as a Date to
// parse and format again for every event read.
const COLUMNS = `position::text AS pos, tx_id::text AS tx, stream_id, revision, event_id, type, data, personal, meta,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, hash, previous_hash`;

/** A row of the append's input: the event as it is inserted, in order. */
interface InputRow {
  readonly ord: number;
  readonly first: boolean;
  readonly stream_id: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: NewEvent['data'];
  readonly personal: NewEvent['personal'];
  readonly meta: NewEvent['meta'];
  readonly recorded_at: string;
  readonly hash: string;
  readonly previous_hash: string | null;
  /** The sealed generations whose filters could not rule the id out. */
  readonly maybe?: readonly number[];
}

const toEvent = (row: EventRow): StoredEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  eventId: row.event_id,
  type: row.type,
  data: row.data,
  personal: row.personal,
  meta: row.meta,
  recordedAt: row.recorded_at,
  checkpoint: `${row.tx}/${row.pos}`,
  hash: row.hash,
  previousHash: row.previous_hash,
});

const parseCheckpoint = (checkpoint: Checkpoint | null): [bigint, bigint] => {
  if (checkpoint === null) return [0n, 0n];
  const [tx, position] = checkpoint.split('/');
  return [BigInt(tx ?? '0'), BigInt(position ?? '0')];
};

/**
 * SQL for the last revision of the stream that `streamIdSql` names (NULL: no such stream): one
 * probe of the (stream, revision) key, for a read model kept in the same database to check in its
 * own statement that it shows everything the store holds for a stream.
 */
export const lastRevisionSql = (streamIdSql: string): string =>
  `(SELECT revision FROM ledger_events WHERE stream_id = ${streamIdSql} ORDER BY revision DESC LIMIT 1)`;

export interface PostgresEventStoreOptions {
  /** A pool to share with the read models; the store makes its own from `url` when absent. */
  readonly pool?: Pool;
  readonly url: string;
  /**
   * A page of the feed ends once its events' JSON (data, personal part, meta) reaches this many
   * bytes, however many events were asked for, and holds at least one event. @defaultValue 16 MiB
   */
  readonly feedPageBytes?: number;
  /** Event ids a generation of the id index holds before it is sealed (see EventIdGenerations). */
  readonly eventIdGenerationSize?: number;
  /** Told of a failed seal or filter build of the id index, which the next append retries. */
  readonly onIdIndexFault?: (error: unknown) => void;
}

/**
 * The append's input rows, each event hashed onto the one before it in its stream, and the
 * events in the same order.
 */
async function chainedRows(appends: readonly StreamAppend[]): Promise<{ rows: InputRow[]; events: NewEvent[] }> {
  const rows: InputRow[] = [];
  const events: NewEvent[] = [];
  for (const append of appends) {
    let previousHash = append.expected.hash;
    let revision = append.expected.revision;
    for (const event of append.events) {
      // Hashing a large batch holds the event loop: yield now and then to waiting reads.
      await breathe();
      revision += 1;
      const hash = eventHash(append.streamId, revision, event, previousHash);
      rows.push({
        ord: rows.length,
        first: revision === append.expected.revision + 1,
        stream_id: append.streamId,
        revision,
        event_id: event.eventId,
        type: event.type,
        data: event.data,
        personal: event.personal,
        meta: event.meta,
        recorded_at: event.recordedAt,
        hash,
        previous_hash: previousHash,
      });
      events.push(event);
      previousHash = hash;
    }
  }
  return { rows, events };
}

/** What `findEnvelopes` reads of an event found by its id. */
const ENVELOPE_COLUMNS = `x.event_id, x.meta->>'envelopeHash' AS envelope_hash, x.stream_id`;

/**
 * One probe of the id index in generation `g.generation`. LATERAL with LIMIT is never flattened
 * into a join, so it stays one descent of the unique key per generation asked, whatever the
 * planner believes of the table's size (before its first ANALYZE, a join would scan it whole).
 */
const ID_IN_GENERATION_SQL = (idSql: string, columns = '1') =>
  `SELECT ${columns} FROM ledger_events x WHERE x.id_generation = g.generation AND x.event_id = ${idSql} LIMIT 1`;

/**
 * One statement: a stale head (the previous event is not where the writer saw it) or an id
 * recorded in a sealed generation inserts nothing; a concurrent writer of the same revision or
 * event id fails the unique keys. It holds the open generation's row until it commits, and
 * inserts nothing when that row was sealed since the statement began (see EventIdGenerations).
 * $2: the first generation the caller holds no filter for.
 */
const APPEND_SQL = `
  WITH open AS (
    SELECT generation, opened_after FROM ledger_event_id_generations WHERE NOT sealed FOR SHARE
  ), input AS (
    SELECT * FROM json_to_recordset($1::json) AS r(
      ord int, first boolean, stream_id text, revision int, event_id uuid, type text, data json,
      personal json, meta json, recorded_at timestamptz, hash text, previous_hash text, maybe int[])
  ), recorded AS (
    SELECT i.event_id FROM input i
    WHERE EXISTS (
      SELECT 1 FROM ledger_event_id_generations g, LATERAL (${ID_IN_GENERATION_SQL('i.event_id')}) AS hit
      WHERE g.sealed AND (g.generation >= $2 OR g.generation = ANY (i.maybe)))
  ), stale AS (
    SELECT i.stream_id FROM input i
    WHERE i.first AND i.revision > 0 AND NOT EXISTS (
      SELECT 1 FROM ledger_events e
      WHERE e.stream_id = i.stream_id AND e.revision = i.revision - 1 AND e.hash = i.previous_hash)
  ), inserted AS (
    -- Positions must follow the input order (a stream's revisions in order on the feed): the
    -- rows are sorted in a fenced subquery (OFFSET 0), so the identity is drawn after the sort.
    INSERT INTO ledger_events
      (stream_id, revision, event_id, id_generation, type, data, personal, meta, recorded_at, hash, previous_hash)
    SELECT stream_id, revision, event_id, (SELECT generation FROM open), type, data, personal, meta, recorded_at, hash,
           previous_hash
    FROM (
      SELECT * FROM input
      WHERE NOT EXISTS (SELECT 1 FROM stale) AND NOT EXISTS (SELECT 1 FROM recorded) AND EXISTS (SELECT 1 FROM open)
      ORDER BY ord OFFSET 0
    ) AS ordered
    RETURNING position
  ), batched AS (
    INSERT INTO ledger_event_id_batches (generation, ids)
    SELECT (SELECT generation FROM open), array_agg(event_id ORDER BY ord) FROM input
    HAVING EXISTS (SELECT 1 FROM inserted)
  )
  SELECT (SELECT array_agg(stream_id) FROM stale) AS stale,
         (SELECT count(*) FROM recorded)::int AS recorded,
         (SELECT generation FROM open) AS generation,
         (SELECT opened_after::text FROM open) AS opened_after,
         (SELECT array_agg(position::text ORDER BY position) FROM inserted) AS positions,
         pg_current_xact_id()::text AS tx,
         pg_notify('${CHANNEL}', '')`;

/** What the append statement answers: what refused it, or the positions given and the transaction. */
interface AppendOutcome {
  readonly stale: string[] | null;
  readonly recorded: number;
  /** The open generation the append held; null when it was sealed meanwhile (nothing inserted). */
  readonly generation: number | null;
  readonly opened_after: string | null;
  readonly positions: string[] | null;
  readonly tx: string;
}

/** An append finds the open generation sealed under it at most this often in a row before it gives up. */
const SEALED_RETRIES = 5;

/** The store's own error for what the append statement failed with: the unique keys are concurrency. */
function appendError(error: unknown, appends: readonly StreamAppend[]): unknown {
  const { code, constraint } = pgErrorOf(error);
  const streamIds = () => appends.map((a) => a.streamId);
  if (code === '23505' && constraint === 'ledger_events_stream_revision') {
    return new ConcurrencyError(streamIds(), 'a stream moved past its expected revision');
  }
  if (code === '23505' && constraint === 'ledger_events_id_generation_event_id') {
    return new ConcurrencyError(streamIds(), 'an event id was recorded concurrently');
  }
  return isTransientFault(error) ? new StoreUnavailableError(error) : error;
}

/**
 * Bounds a feed page in bytes as well as in events. An envelope may hold many large fields, so a
 * page of many events can weigh gigabytes; a page that does not fit in the projection thread's
 * heap would kill the thread, and kill it again on every restart, stalling the read model for
 * good. Pages of ordinary events never reach the bound, so it costs them nothing.
 */
const FEED_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * The PostgreSQL event store: one table, one stream per subject, optimistic concurrency on the
 * (stream, revision) key, and an append of many streams in one statement (one round trip).
 */
export class PostgresEventStore implements EventStore {
  readonly globallyIdempotent = true;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly listeners = new Set<() => void>();
  private notifier: Client | null = null;
  private closed = false;

  private readonly feedPageBytes: number;
  private readonly ids: EventIdGenerations;

  private constructor(options: PostgresEventStoreOptions) {
    this.ownsPool = !options.pool;
    this.pool = options.pool ?? createPool(options.url);
    this.feedPageBytes = options.feedPageBytes ?? FEED_PAGE_BYTES;
    this.ids = new EventIdGenerations(this.pool, options.eventIdGenerationSize, options.onIdIndexFault);
  }

  /** Connects, applies the schema migrations, takes up the id filters, and returns the store. */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    await migrate(store.pool, 'event-store', EVENT_STORE_MIGRATIONS);
    await store.ids.open();
    return store;
  }

  async append(appends: readonly StreamAppend[]): Promise<AppendResult> {
    assertCanonicalEventIds(appends);
    const { rows, events } = await chainedRows(appends);
    if (rows.length === 0) return { checkpoint: '0/0', events: [] };
    // Each id hashed once, for the filters it is checked against and the one it joins.
    const hashes = rows.map((row) => uuidHashes(row.event_id));
    const { positions, tx, generation, opened_after } = await this.insertRows(rows, hashes, appends);
    this.ids.appended({
      generation: generation!,
      openedAfter: BigInt(opened_after!),
      lastPosition: BigInt(positions![positions!.length - 1]!),
      ids: hashes,
    });
    const stored = rows.map((row, i) =>
      storedEvent(events[i]!, row.stream_id, row.revision, row.hash, row.previous_hash, `${tx}/${positions![i]}`),
    );
    this.listeners.forEach((listener) => listener());
    return { checkpoint: stored[stored.length - 1]!.checkpoint, events: stored };
  }

  /** Runs the append statement until it finds the open generation unsealed; refusals thrown. */
  private async insertRows(
    rows: readonly InputRow[],
    hashes: readonly UuidHashes[],
    appends: readonly StreamAppend[],
  ): Promise<AppendOutcome> {
    const streamIds = () => appends.map((a) => a.streamId);
    for (let attempt = 1; ; attempt++) {
      // Read at once with the filters they were made from: a generation `filtered` has no filter
      // for yet is probed in the index for every id.
      const filtered = this.ids.filtered;
      const input = rows.map((row, i) => {
        const maybe = this.ids.mayHold(hashes[i]!);
        return maybe.length > 0 ? { ...row, maybe } : row;
      });
      const outcome = await this.insert(input, filtered, appends);
      if (outcome.stale && outcome.stale.length > 0)
        throw new ConcurrencyError(outcome.stale, 'a stream is not at its expected head');
      if (outcome.recorded > 0) throw new ConcurrencyError(streamIds(), 'an event id is recorded already');
      if (outcome.generation !== null) return outcome;
      // Sealed under the statement: nothing was written, and the next attempt sees the new generation.
      if (attempt >= SEALED_RETRIES)
        throw new ConcurrencyError(streamIds(), 'the event id index kept moving to a new generation');
    }
  }

  /** Runs the append statement, its driver errors turned into the store's own. */
  private async insert(
    rows: readonly InputRow[],
    filtered: number,
    appends: readonly StreamAppend[],
  ): Promise<AppendOutcome> {
    try {
      const result = await this.pool.query<AppendOutcome>(APPEND_SQL, [JSON.stringify(rows), filtered]);
      return result.rows[0]!;
    } catch (error) {
      throw appendError(error, appends);
    }
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return (await this.readStreams([streamId])).get(streamId) ?? [];
  }

  async readStreams(streamIds: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const streams = new Map<string, StoredEvent[]>();
    if (streamIds.length === 0) return streams;
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, revision`,
      [streamIds],
    );
    for (const row of rows) {
      const events = streams.get(row.stream_id) ?? [];
      events.push(toEvent(row));
      streams.set(row.stream_id, events);
    }
    return streams;
  }

  async streamRevisions(streamIds: readonly string[]): Promise<Map<string, number>> {
    if (streamIds.length === 0) return new Map();
    const { rows } = await this.query<{ stream_id: string; revision: number | null }>(
      `SELECT i.stream_id, ${lastRevisionSql('i.stream_id')} AS revision FROM unnest($1::text[]) AS i(stream_id)`,
      [streamIds],
    );
    return new Map(rows.flatMap((r) => (r.revision === null ? [] : [[r.stream_id, r.revision] as const])));
  }

  async readFeed(after: Checkpoint | null, limit: number): Promise<StoredEvent[]> {
    const [tx, position] = parseCheckpoint(after);
    // The page of `limit` first (the index's order, so the scan stops there), then cut where the
    // bytes before an event reach the bound: every event up to that one is kept.
    const { rows } = await this.query<EventRow>(
      `SELECT pos, tx, stream_id, revision, event_id, type, data, personal, meta, recorded_at, hash, previous_hash
       FROM (
         SELECT *,
                sum(size) OVER (ORDER BY tx_id, position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
         FROM (
           SELECT ${COLUMNS}, tx_id, position,
                  octet_length(data::text) + coalesce(octet_length(personal::text), 0) + octet_length(meta::text)
                    AS size
           FROM ledger_events
           WHERE (tx_id, position) > ($1::text::xid8, $2::bigint)
             AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY tx_id, position
           LIMIT $3
         ) AS page
       ) AS sized
       WHERE before IS NULL OR before < $4
       ORDER BY tx_id, position`,
      [tx.toString(), position.toString(), limit, this.feedPageBytes],
    );
    return rows.map(toEvent);
  }

  async readFeedHeads(after: Checkpoint | null, limit: number): Promise<FeedHead[]> {
    const [tx, position] = parseCheckpoint(after);
    const { rows } = await this.query<{ tx: string; pos: string; event_id: string; hash: string }>(
      `SELECT tx_id::text AS tx, position::text AS pos, event_id, hash FROM ledger_events
       WHERE (tx_id, position) > ($1::text::xid8, $2::bigint) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY tx_id, position
       LIMIT $3`,
      [tx.toString(), position.toString(), limit],
    );
    return rows.map((r) => ({ eventId: r.event_id, hash: r.hash, checkpoint: `${r.tx}/${r.pos}` }));
  }

  async head(): Promise<Checkpoint | null> {
    const { rows } = await this.query<{ tx: string; pos: string }>(
      `SELECT tx_id::text AS tx, position::text AS pos FROM ledger_events
       WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id DESC, position DESC LIMIT 1`,
    );
    return rows[0] ? `${rows[0].tx}/${rows[0].pos}` : null;
  }

  async readByStream(afterStreamId: string | null, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ledger_events WHERE stream_id > $1 ORDER BY stream_id, revision LIMIT $2`,
      [afterStreamId ?? '', limit + 1],
    );
    if (rows.length <= limit) return rows.map(toEvent);
    // The page ends inside a stream: keep whole streams only, or read the one long stream whole.
    const cut = rows[rows.length - 1]!.stream_id;
    const whole = rows.filter((r) => r.stream_id !== cut);
    return whole.length > 0 ? whole.map(toEvent) : this.readStream(cut);
  }

  async findEnvelopes(envelopeIds: readonly string[]): Promise<StoredEnvelope[]> {
    if (envelopeIds.length === 0) return [];
    // Each id in the generations its filters could not rule out and in every one without a filter
    // (read at once with the filters).
    const filtered = this.ids.filtered;
    const probes = [...new Set(envelopeIds)].map((id) => {
      const maybe = this.ids.mayHold(uuidHashes(id));
      return maybe.length > 0 ? { id, maybe } : { id };
    });
    const { rows } = await this.query<{ event_id: string; envelope_hash: string; stream_id: string }>(
      `SELECT x.event_id, x.envelope_hash, x.stream_id
       FROM json_to_recordset($1::json) AS p(id uuid, maybe int[])
       JOIN ledger_event_id_generations g ON g.generation >= $2 OR g.generation = ANY (p.maybe)
       CROSS JOIN LATERAL (${ID_IN_GENERATION_SQL('p.id', ENVELOPE_COLUMNS)}) AS x`,
      [JSON.stringify(probes), filtered],
    );
    return rows.map((r) => ({ envelopeId: r.event_id, envelopeHash: r.envelope_hash, streamId: r.stream_id }));
  }

  async *streams(): AsyncIterable<string> {
    let after = '';
    for (;;) {
      const { rows } = await this.query<{ stream_id: string }>(
        `SELECT stream_id FROM ledger_events WHERE revision = 0 AND stream_id > $1 ORDER BY stream_id LIMIT 1000`,
        [after],
      );
      if (rows.length === 0) return;
      for (const row of rows) yield row.stream_id;
      after = rows[rows.length - 1]!.stream_id;
    }
  }

  compare(a: Checkpoint | null, b: Checkpoint | null): number {
    const [ta, pa] = parseCheckpoint(a);
    const [tb, pb] = parseCheckpoint(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    return pa === pb ? 0 : pa < pb ? -1 : 1;
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    void this.listen();
    return () => this.listeners.delete(listener);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ids.close();
    await this.notifier?.end().catch(() => undefined);
    if (this.ownsPool) await this.pool.end();
  }

  /** Other instances' appends arrive by NOTIFY; a lost connection is re-opened with backoff. */
  private async listen(delayMs = 500): Promise<void> {
    if (this.notifier || this.closed) return;
    const options = this.pool.options as { connectionString?: string };
    const client = new Client({ connectionString: options.connectionString });
    this.notifier = client;
    const retry = () => {
      if (this.notifier !== client) return;
      this.notifier = null;
      client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.listen(Math.min(delayMs * 2, 10_000)), delayMs).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => this.listeners.forEach((listener) => listener()));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      retry();
    }
  }

  private async query<R extends object>(sql: string, params: unknown[] = []) {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      if (isTransientFault(error)) throw new StoreUnavailableError(error);
      throw error;
    }
  }
}
