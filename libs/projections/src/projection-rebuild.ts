import type { EventStore } from '#ledger/event-store';
import { inTransaction, migrate, type Pool } from '#ledger/postgres';
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
  /** Events read per page. @defaultValue 20_000 */
  readonly pageSize?: number;
  readonly onProgress?: (phase: string, events: number) => void;
}

/**
 * Rebuilds a projection beside the live one, which keeps answering meanwhile:
 * 1. scan: whole streams in stream order (large keyset pages), folded in memory a page at a
 *    time, each row written once into an unindexed shadow table;
 * 2. index the shadow; 3. catch up from the feed position taken when the rebuild started;
 * 4. swap, in one transaction that holds the projection's lock: apply the last events, rename the
 *    shadow into place, move the checkpoint.
 * Progress is saved with every page, so an interrupted rebuild resumes where it stopped.
 * A store that cannot read by stream (KurrentDB) is scanned from its feed instead.
 */
export async function rebuildProjection(store: EventStore, pool: Pool, live: RebuildableProjection, options: RebuildOptions = {}): Promise<number> {
  await migrate(pool, 'projections', PROJECTION_MIGRATIONS);
  await migrate(pool, 'projection-rebuilds', REBUILD_MIGRATIONS);
  const name = live.name;
  const shadowTable = `${live.table}_rebuild`;
  const shadow = live.withTable(shadowTable);
  const pageSize = options.pageSize ?? 20_000;
  let events = 0;

  let progress = (await pool.query<Progress>('SELECT phase, start_checkpoint, after_stream, checkpoint FROM ledger_projection_rebuilds WHERE name = $1', [name]))
    .rows[0];
  if (!progress) {
    // Everything up to `start` is in the scan; whatever the scan also sees later is skipped by
    // version in the catch-up. Without a scan, the catch-up replays the whole feed.
    const scan = Boolean(store.readByStream);
    const start = scan ? await store.head() : null;
    progress = { phase: scan ? 'scan' : 'catch-up', start_checkpoint: start, after_stream: null, checkpoint: start };
    await inTransaction(pool, async (client) => {
      await client.query(`DROP TABLE IF EXISTS ${shadowTable}`);
      await client.query(shadow.ddl(shadowTable).create);
      await client.query('INSERT INTO ledger_projection_rebuilds (name, phase, start_checkpoint, checkpoint) VALUES ($1, $2, $3, $3)', [
        name,
        progress!.phase,
        start,
      ]);
    });
  }

  if (progress.phase === 'scan') {
    // Whole streams in stream order, each page folded and inserted once, its cursor saved with it.
    // The next page is read while this one is folded and written: the read and the write overlap.
    let cursor = progress.after_stream;
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
        await client.query('UPDATE ledger_projection_rebuilds SET after_stream = $2 WHERE name = $1', [name, cursor]);
      });
      events += page.length;
      options.onProgress?.('scan', events);
    }
    await inTransaction(pool, async (client) => {
      await client.query(shadow.ddl(shadowTable).index);
      await client.query(`UPDATE ledger_projection_rebuilds SET phase = 'catch-up' WHERE name = $1`, [name]);
    });
  } else if (progress.phase === 'catch-up') {
    const { rows } = await pool.query(`SELECT 1 FROM pg_indexes WHERE tablename = $1`, [shadowTable]);
    if (rows.length === 0) await pool.query(shadow.ddl(shadowTable).index);
  }

  // Catch up from the feed, then swap under the projection's lock.
  let checkpoint = (await pool.query<Progress>('SELECT checkpoint FROM ledger_projection_rebuilds WHERE name = $1', [name])).rows[0]!.checkpoint;
  const catchUp = async (client: import('#ledger/postgres').PoolClient) => {
    for (;;) {
      const page = await store.readFeed(checkpoint, pageSize);
      if (page.length === 0) return;
      await shadow.apply(page, client);
      checkpoint = page[page.length - 1]!.checkpoint;
      await client.query('UPDATE ledger_projection_rebuilds SET checkpoint = $2 WHERE name = $1', [name, checkpoint]);
      events += page.length;
      options.onProgress?.('catch-up', events);
    }
  };
  await inTransaction(pool, catchUp);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ledger-projection:${name}`]);
    await catchUp(client);
    await client.query(`DROP TABLE IF EXISTS ${live.table}`);
    await client.query(`ALTER TABLE ${shadowTable} RENAME TO ${live.table}`);
    await shadow.renameIndexes(client, shadowTable, live.table);
    await client.query(
      `INSERT INTO ledger_projections (name, checkpoint) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()`,
      [name, checkpoint],
    );
    await client.query('DELETE FROM ledger_projection_rebuilds WHERE name = $1', [name]);
  });
  return events;
}
