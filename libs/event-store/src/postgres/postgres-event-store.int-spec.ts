import { Client } from 'pg';
import { createTestDatabase, type ServerKind } from '../../../../test/support/test-database';
import { NO_STREAM } from '../event-store.port';
import { eventHash } from '../hash-chain';
import { eventStoreContract, lastCheckpoint, newEvent } from '../testing/event-store.contract';
import { PostgresEventStore } from './postgres-event-store';

describe.each<[string, ServerKind]>([
  ['the machine PostgreSQL (embedded when absent)', 'machine-or-embedded'],
  ['the embedded PostgreSQL', 'embedded'],
])('PostgresEventStore on %s', (_name, kind) => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });
  const open = async () => {
    const db = await createTestDatabase(kind);
    drops.push(db.drop);
    return PostgresEventStore.open({ url: db.url });
  };

  describe('the event store contract', () => eventStoreContract(open));

  it('never lets a feed reader skip an event committed late by a slower transaction', async () => {
    const db = await createTestDatabase(kind);
    drops.push(db.drop);
    const store = await PostgresEventStore.open({ url: db.url });
    const slow = new Client({ connectionString: db.url });
    await slow.connect();
    try {
      const start = await lastCheckpoint(store);
      // A slow writer: its transaction takes its position first and commits last.
      const late = newEvent();
      const lateStream = 'subject-late';
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO ledger_events
           (stream_id, revision, event_id, type, data, personal, meta, recorded_at, hash, previous_hash)
         VALUES ($1, 0, $2, $3, $4, $5, $6, $7, $8, NULL)`,
        [
          lateStream,
          late.eventId,
          late.type,
          late.data,
          late.personal,
          late.meta,
          late.recordedAt,
          eventHash(lateStream, 0, late, null),
        ],
      );
      const quick = [newEvent(), newEvent()];
      await store.append([{ streamId: 'subject-quick-1', expected: NO_STREAM, events: [quick[0]!] }]);
      await store.append([{ streamId: 'subject-quick-2', expected: NO_STREAM, events: [quick[1]!] }]);

      // While the slow transaction is open, the feed stops short of it rather than run past it.
      const whileOpen = await store.readFeed(start, 100);
      expect(whileOpen).toEqual([]);

      await slow.query('COMMIT');
      const after = await store.readFeed(start, 100);
      expect(after.map((e) => e.eventId)).toEqual([late.eventId, ...quick.map((e) => e.eventId)]);
    } finally {
      await slow.end();
      await store.close();
    }
  });

  it('ends a feed page at a size in bytes, never below one event; pages give each event once, in order', async () => {
    const db = await createTestDatabase(kind);
    drops.push(db.drop);
    const store = await PostgresEventStore.open({ url: db.url, feedPageBytes: 25_000 });
    try {
      // Nine events of about 10 KB, then one of 60 KB (larger than a page), then ten small ones.
      const big = (n: number) => newEvent('data.used', { personal: { description: 'x'.repeat(n) } });
      const events = [
        ...Array.from({ length: 9 }, () => big(10_000)),
        big(60_000),
        ...Array.from({ length: 10 }, () => newEvent()),
      ];
      await store.append([{ streamId: 'subject-large', expected: NO_STREAM, events }]);

      const sizes: number[] = [];
      const fed: string[] = [];
      let checkpoint: string | null = null;
      for (;;) {
        const page = await store.readFeed(checkpoint, 100);
        if (page.length === 0) break;
        sizes.push(page.length);
        fed.push(...page.map((e) => e.eventId));
        checkpoint = page[page.length - 1]!.checkpoint;
      }
      // A page keeps each event that starts before 25,000 bytes: three of 10 KB at a time; the
      // large one alone (a page holds at least one event), the small ones after it in the next.
      expect(sizes).toEqual([3, 3, 3, 1, 10]);
      expect(fed).toEqual(events.map((e) => e.eventId));
      expect(await store.readFeed(null, 2)).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('feeds positions in numeric order across digit boundaries (1…9, 10…)', async () => {
    const db = await createTestDatabase(kind);
    drops.push(db.drop);
    const store = await PostgresEventStore.open({ url: db.url });
    const events = Array.from({ length: 25 }, () => newEvent());
    await store.append([{ streamId: 'subject-digits', expected: NO_STREAM, events }]);
    const fed = await store.readFeed(null, 100);
    expect(fed.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    await store.close();
  });

  it('refuses to change or delete a recorded event', async () => {
    const db = await createTestDatabase(kind);
    drops.push(db.drop);
    const store = await PostgresEventStore.open({ url: db.url });
    await store.append([{ streamId: 'subject-x', expected: NO_STREAM, events: [newEvent()] }]);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE ledger_events SET type = 'x'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM ledger_events`)).rejects.toThrow(/append-only/);
      expect((await store.readStream('subject-x'))[0]!.type).toBe('data.used');
    } finally {
      await client.end();
      await store.close();
    }
  });
});
