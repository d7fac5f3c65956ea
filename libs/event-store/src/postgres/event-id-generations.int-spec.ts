import { Client } from 'pg';
import { createPool, migrate } from '#ledger/postgres';
import { createTestDatabase } from '../../../../test/support/test-database';
import { ConcurrencyError } from '../errors';
import { NO_STREAM, type NewEvent } from '../event-store.port';
import { eventHash } from '../hash-chain';
import { newEvent } from '../testing/event-store.contract';
import { EVENT_STORE_MIGRATIONS } from './postgres-event-store.migrations';
import { PostgresEventStore } from './postgres-event-store';

/** Appends each event as the first of its own stream. */
const appendEach = (store: PostgresEventStore, events: readonly NewEvent[], tag: string) =>
  store.append(events.map((e, i) => ({ streamId: `subject-${tag}-${i}`, expected: NO_STREAM, events: [e] })));

interface GenerationRow {
  generation: number;
  sealed: boolean;
  filtered: boolean;
  ids: number;
  /** Whether its appends' written-down ids are still there. */
  written: boolean;
}

async function generations(db: Client): Promise<GenerationRow[]> {
  const { rows } = await db.query<GenerationRow>(
    `SELECT g.generation, g.sealed, g.bloom IS NOT NULL AS filtered,
            (SELECT count(*) FROM ledger_events x WHERE x.id_generation = g.generation)::int AS ids,
            EXISTS (SELECT 1 FROM ledger_event_id_batches b WHERE b.generation = g.generation) AS written
     FROM ledger_event_id_generations g ORDER BY g.generation`,
  );
  return rows;
}

/** Reads until `done`; the filters are built in the background, slowly on a loaded machine. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the PostgreSQL store keeps event ids in generations', () => {
  const drops: Array<() => Promise<void>> = [];
  const closes: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closes) await close();
    for (const drop of drops) await drop();
  });
  const database = async () => {
    const db = await createTestDatabase('machine-or-embedded');
    drops.push(db.drop);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    closes.push(() => client.end());
    return { url: db.url, client };
  };
  const open = async (url: string, eventIdGenerationSize = 4) => {
    const store = await PostgresEventStore.open({ url, eventIdGenerationSize });
    closes.push(() => store.close());
    return store;
  };

  it.each([
    ['one instance appends (its own filter of the generation is stored)', 1],
    ['two instances take turns (the filter is read back from the written-down ids)', 2],
  ])('seals a full generation, filters it, and refuses and finds every id of every generation: %s', async (_, n) => {
    const { url, client } = await database();
    const writers = await Promise.all(Array.from({ length: n }, () => open(url)));
    const store = writers[0]!;
    const events = Array.from({ length: 14 }, () => newEvent());
    for (let i = 0; i < events.length; i += 2) {
      await appendEach(writers[(i / 2) % n]!, events.slice(i, i + 2), `a${i}`);
    }

    // Every sealed generation filtered, and its written-down ids deleted once its filter is stored.
    const sealed = await until(
      () => generations(client),
      (gs) =>
        gs.filter((g) => g.sealed).length >= 2 &&
        gs.every((g) => g.filtered === g.sealed && !(g.filtered && g.written)),
    );
    const current = sealed.filter((g) => !g.sealed);
    // The open one's are kept for its filter.
    expect(current.map((g) => g.written)).toEqual([current[0]!.ids > 0]);
    expect(sealed.reduce((n, g) => n + g.ids, 0)).toBe(14);
    // Each sealed generation holds a generation's size or a little more (an append is never split).
    for (const g of sealed.filter((g) => g.sealed)) expect(g.ids).toBeGreaterThanOrEqual(4);

    // A second instance: filters taken up from their rows.
    const other = await open(url);
    for (const reader of [store, other]) {
      const found = await reader.findEnvelopes(events.map((e) => e.eventId));
      expect(found.map((f) => f.envelopeId).sort()).toEqual(events.map((e) => e.eventId).sort());
      for (const [i, event] of events.entries()) {
        await expect(
          reader.append([{ streamId: `subject-again-${i}`, expected: NO_STREAM, events: [event] }]),
        ).rejects.toBeInstanceOf(ConcurrencyError);
      }
    }
    expect(await store.findEnvelopes([newEvent().eventId])).toEqual([]);
    expect((await generations(client)).reduce((n, g) => n + g.ids, 0)).toBe(14);
  });

  it('records each id once when two instances race to append the same events across many seals', async () => {
    const { url, client } = await database();
    const [a, b] = [await open(url, 8), await open(url, 8)];
    const events = Array.from({ length: 240 }, () => newEvent());
    const outcomes: string[] = [];
    for (let i = 0; i < events.length; i += 4) {
      const batch = events.slice(i, i + 4);
      // The same events, each writer in its own streams: only the ids can collide.
      const settled = await Promise.allSettled(
        [a, b].map((store, w) =>
          store.append(batch.map((e, j) => ({ streamId: `subject-${w}-${i + j}`, expected: NO_STREAM, events: [e] }))),
        ),
      );
      outcomes.push(settled.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.constructor.name)).join(' '));
    }
    expect(outcomes.filter((o) => o !== 'ok ConcurrencyError' && o !== 'ConcurrencyError ok')).toEqual([]);
    const { rows } = await client.query<{ ids: number; events: number }>(
      'SELECT count(DISTINCT event_id)::int AS ids, count(*)::int AS events FROM ledger_events',
    );
    expect(rows).toEqual([{ ids: 240, events: 240 }]);
    const sealed = await until(
      () => generations(client),
      (gs) => gs.every((g) => g.filtered === g.sealed),
    );
    expect(sealed.filter((g) => g.sealed).length).toBeGreaterThanOrEqual(10);
    const late = await open(url, 8);
    const refused = await Promise.allSettled(
      events.map((e, i) => late.append([{ streamId: `subject-late-${i}`, expected: NO_STREAM, events: [e] }])),
    );
    expect(refused.filter((r) => r.status === 'fulfilled')).toEqual([]);
  });

  it('refuses an id of a sealed generation it holds no filter for yet, by probing its index', async () => {
    const { url, client } = await database();
    const store = await open(url, 1000);
    const events = Array.from({ length: 3 }, () => newEvent());
    await appendEach(store, events, 'b');
    // Sealed by another instance that has not built the filter.
    await client.query(`BEGIN;
      UPDATE ledger_event_id_generations SET sealed = true WHERE generation = 0;
      INSERT INTO ledger_event_id_generations (generation, opened_after) VALUES (1, 3);
      COMMIT`);
    await expect(
      store.append([{ streamId: 'subject-b-again', expected: NO_STREAM, events: [events[1]!] }]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.findEnvelopes([events[2]!.eventId])).map((f) => f.streamId)).toEqual(['subject-b-2']);
    await appendEach(store, [newEvent()], 'b-new');
    expect((await generations(client)).map((g) => [g.generation, g.ids])).toEqual([
      [0, 3],
      [1, 1],
    ]);
  });

  it('writes nothing into a generation sealed while its append waited, and lands it in the next one', async () => {
    const { url, client } = await database();
    const store = await open(url, 1000);
    await appendEach(store, [newEvent()], 'c');
    // A seal in flight holds the open row; the append's statement waits for it, then finds it sealed.
    await client.query(`BEGIN;
      UPDATE ledger_event_id_generations SET sealed = true WHERE generation = 0;
      INSERT INTO ledger_event_id_generations (generation, opened_after) VALUES (1, 1)`);
    const event = newEvent();
    const appending = appendEach(store, [event], 'c-late');
    await until(
      () =>
        client
          .query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND datname = current_database()`,
          )
          .then((r) => r.rows[0]!.n),
      (n) => n > 0,
    );
    await client.query('COMMIT');
    await appending;
    const { rows } = await client.query<{ generation: number }>(
      'SELECT id_generation AS generation FROM ledger_events WHERE event_id = $1',
      [event.eventId],
    );
    expect(rows).toEqual([{ generation: 1 }]);
  });

  it('migrates a store whose ids were one unique key: they make generation 0, sealed at the next append', async () => {
    const { url, client } = await database();
    const pool = createPool(url);
    closes.push(() => pool.end());
    await migrate(pool, 'event-store', EVENT_STORE_MIGRATIONS.slice(0, 1));
    const old = Array.from({ length: 5 }, () => newEvent());
    for (const [i, e] of old.entries()) {
      await client.query(
        `INSERT INTO ledger_events
           (stream_id, revision, event_id, type, data, personal, meta, recorded_at, hash, previous_hash)
         VALUES ($1, 0, $2, $3, $4, $5, $6, $7, $8, NULL)`,
        [
          `subject-old-${i}`,
          e.eventId,
          e.type,
          e.data,
          e.personal,
          e.meta,
          e.recordedAt,
          eventHash(`subject-old-${i}`, 0, e, null),
        ],
      );
    }
    const store = await open(url, 4);
    expect((await generations(client)).map((g) => [g.generation, g.sealed, g.ids])).toEqual([[0, false, 5]]);
    await expect(
      store.append([{ streamId: 'subject-old-again', expected: NO_STREAM, events: [old[3]!] }]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await appendEach(store, [newEvent()], 'new');
    const after = await until(
      () => generations(client),
      (gs) => gs[0]?.filtered === true,
    );
    expect(after.map((g) => [g.generation, g.sealed, g.ids])).toEqual([
      [0, true, 6],
      [1, false, 0],
    ]);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'ledger_events_event_id'`,
    );
    expect(rows).toEqual([{ n: 0 }]);
    expect((await store.findEnvelopes(old.map((e) => e.eventId))).length).toBe(5);
  });
});
