import type { Checkpoint, EventStore } from '#ledger/event-store';
import { inTransaction, migrate, type Pool, type PoolClient } from '#ledger/postgres';
import type { RebuildableProjection } from './projection';
import { PROJECTION_MIGRATIONS } from './projection-runner';

const REBUILD_MIGRATIONS = [
  {
    version: 1,
    description: 'progress of projection rebuilds, so an interrupted one resumes',
    sql: `CREATE TABLE ledger_projection_rebuilds (
            name text PRIMARY KEY, phase text NOT NULL, start_checkpoint text, after_stream text, checkpoint text,
            started_at timestamptz NOT NULL DEFAULT now())`,
  },
];

interface Progress {
  phase: 'scan' | 'catch-up';
  start_checkpoint: string | null;
  after_stream: string | null;
  checkpoint: string | null;
}

export interface RebuildOptions {
  /**
   * Events read per page. Two pages are in memory at once (one folded, the next read), and the
   * process's peak memory follows the page, not the store; larger pages buy no speed.
   * @defaultValue 5_000
   */
  readonly pageSize?: number;
  readonly onProgress?: (phase: string, events: number) => void;
}

/** One rebuild under way: the live projection, its shadow, and the events read so far. */
interface Rebuild {
  readonly store: EventStore;
  readonly pool: Pool;
  readonly live: RebuildableProjection;
  readonly shadow: RebuildableProjection;
  readonly pageSize: number;
  readonly onProgress?: (phase: string, events: number) => void;
  events: number;
}

/**
 * Rebuilds a projection beside the live one, which keeps answering meanwhile:
 * 1. scan: whole streams in stream order (large keyset pages), folded in memory a page at a
 *    time, each row written once into an unindexed shadow table;
 * 2. index the shadow; 3. catch up from the feed position taken when the rebuild started;
 * 4. swap, in one transaction that holds the projection's lock: apply the last events, rename the
 *    shadow into place; the live checkpoint stays (a projection without one starts at the swap's).
 * Progress is saved with every page, so an interrupted rebuild resumes where it stopped.
 * A store that cannot read by stream (KurrentDB) is scanned from its feed instead.
 */
export async function rebuildProjection(
  store: EventStore,
  pool: Pool,
  live: RebuildableProjection,
  options: RebuildOptions = {},
): Promise<number> {
  await migrate(pool, 'projections', PROJECTION_MIGRATIONS);
  await migrate(pool, 'projection-rebuilds', REBUILD_MIGRATIONS);
  const shadow = live.withTable(`${live.table}_rebuild`);
  const rebuild: Rebuild = {
    store,
    pool,
    live,
    shadow,
    pageSize: options.pageSize ?? 5_000,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    events: 0,
  };
  const progress = (await readProgress(rebuild)) ?? (await begin(rebuild));
  if (progress.phase === 'scan') await scan(rebuild, progress.after_stream);
  else await indexShadowIfNotYet(rebuild);
  await catchUpAndSwap(rebuild);
  return rebuild.events;
}

async function readProgress({ pool, live }: Rebuild): Promise<Progress | undefined> {
  const sql =
    'SELECT phase, start_checkpoint, after_stream, checkpoint FROM ledger_projection_rebuilds WHERE name = $1';
  return (await pool.query<Progress>(sql, [live.name])).rows[0];
}

/**
 * Creates the shadow and records the start. Everything up to `start` is in the scan; whatever
 * the scan also sees later is skipped by version in the catch-up. Without a scan, the catch-up
 * replays the whole feed.
 */
async function begin({ store, pool, live, shadow }: Rebuild): Promise<Progress> {
  const scanning = Boolean(store.readByStream);
  const start = scanning ? await store.head() : null;
  const progress: Progress = {
    phase: scanning ? 'scan' : 'catch-up',
    start_checkpoint: start,
    after_stream: null,
    checkpoint: start,
  };
  await inTransaction(pool, async (client) => {
    await shadow.createTable(client);
    await client.query(
      'INSERT INTO ledger_projection_rebuilds (name, phase, start_checkpoint, checkpoint) VALUES ($1, $2, $3, $3)',
      [live.name, progress.phase, start],
    );
  });
  return progress;
}

/**
 * Whole streams in stream order, each page folded and inserted once, its cursor saved with it.
 * The next page is read while this one is folded and written: the read and the write overlap.
 */
async function scan(rebuild: Rebuild, after: string | null): Promise<void> {
  const { store, pool, live, shadow, pageSize } = rebuild;
  let cursor = after;
  let next = store.readByStream!(cursor, pageSize);
  for (;;) {
    const page = await next;
    if (page.length === 0) break;
    cursor = page[page.length - 1]!.streamId;
    next = store.readByStream!(cursor, pageSize);
    // An interrupted write leaves the prefetch unread; its failure, if any, is not the error.
    next.catch(() => undefined);
    await inTransaction(pool, async (client) => {
      await shadow.applyFresh(page, client);
      await client.query('UPDATE ledger_projection_rebuilds SET after_stream = $2 WHERE name = $1', [
        live.name,
        cursor,
      ]);
    });
    rebuild.events += page.length;
    rebuild.onProgress?.('scan', rebuild.events);
  }
  await inTransaction(pool, async (client) => {
    await shadow.createIndexes(client);
    await client.query(`UPDATE ledger_projection_rebuilds SET phase = 'catch-up' WHERE name = $1`, [live.name]);
  });
}

/** A rebuild interrupted between its scan and its catch-up may not have indexed the shadow. */
async function indexShadowIfNotYet({ pool, shadow }: Rebuild): Promise<void> {
  const { rows } = await pool.query(`SELECT 1 FROM pg_indexes WHERE tablename = $1`, [shadow.table]);
  if (rows.length === 0) await inTransaction(pool, (client) => shadow.createIndexes(client));
}

/** Catches up from the feed, then once more under the projection's lock, and swaps the shadow in. */
async function catchUpAndSwap(rebuild: Rebuild): Promise<void> {
  const { pool, live, shadow } = rebuild;
  const sql = 'SELECT checkpoint FROM ledger_projection_rebuilds WHERE name = $1';
  let checkpoint = (await pool.query<Progress>(sql, [live.name])).rows[0]!.checkpoint;
  await inTransaction(pool, async (client) => {
    checkpoint = await catchUp(rebuild, client, checkpoint);
  });
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ledger-projection:${live.name}`]);
    checkpoint = await catchUp(rebuild, client, checkpoint);
    await shadow.replace(client, live.table);
    // A live checkpoint stays where it is: it may be shared with read models that ride with this
    // one and lag behind, and the events between it and the rebuild's are folded once anyway (a
    // document skips an event its version has seen).
    await client.query(
      `INSERT INTO ledger_projections (name, checkpoint) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
      [live.name, checkpoint],
    );
    await client.query('DELETE FROM ledger_projection_rebuilds WHERE name = $1', [live.name]);
  });
}

/** Applies the feed after `checkpoint` to the shadow; the checkpoint reached. */
async function catchUp(rebuild: Rebuild, client: PoolClient, from: Checkpoint | null): Promise<Checkpoint | null> {
  const { store, live, shadow, pageSize } = rebuild;
  let checkpoint = from;
  for (;;) {
    const page = await store.readFeed(checkpoint, pageSize);
    if (page.length === 0) return checkpoint;
    await shadow.apply(page, client);
    checkpoint = page[page.length - 1]!.checkpoint;
    await client.query('UPDATE ledger_projection_rebuilds SET checkpoint = $2 WHERE name = $1', [
      live.name,
      checkpoint,
    ]);
    rebuild.events += page.length;
    rebuild.onProgress?.('catch-up', rebuild.events);
  }
}
