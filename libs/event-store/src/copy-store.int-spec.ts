import { Client } from 'pg';
import { createTestDatabase } from '../../../test/support/test-database';
import { copyStore, verifyStore } from './copy-store';
import { NO_STREAM } from './event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { newEvent } from './testing/event-store.contract';

describe('moving stores: copy PostgreSQL → PostgreSQL', () => {
  it('copies 10,000 events keeping order, ids and hashes; the chains verify; an interrupted copy resumes', async () => {
    const [from, to] = [await createTestDatabase(), await createTestDatabase()];
    const source = await PostgresEventStore.open({ url: from.url });
    const target = await PostgresEventStore.open({ url: to.url });
    try {
      // 1,000 streams of 10 events, interleaved as writers would: 10 rounds over every stream.
      const heads = new Map<string, { revision: number; hash: string | null }>();
      for (let round = 0; round < 10; round += 1) {
        const appends = Array.from({ length: 1000 }, (_, s) => {
          const streamId = `subject-${String(s).padStart(8, '0')}-0000-4000-8000-000000000000`;
          return { streamId, expected: heads.get(streamId) ?? NO_STREAM, events: [newEvent()] };
        });
        const result = await source.append(appends);
        for (const e of result.events) heads.set(e.streamId, { revision: e.revision, hash: e.hash });
      }

      // Interrupted after two pages, then run again to the end.
      let pages = 0;
      const interrupted = copyStore(source, target, {
        pageSize: 1500,
        onProgress: () => {
          pages += 1;
          if (pages === 2) throw new Error('interrupted');
        },
      });
      await expect(interrupted).rejects.toThrow('interrupted');
      const report = await copyStore(source, target, { pageSize: 1500 });
      expect(report.events + report.skipped).toBe(10_000);
      expect(report.skipped).toBeGreaterThan(0);
      expect(report.streams).toBe(1000);

      // Each stream's order, every id and every hash kept (the feed's interleaving across streams
      // is the store's own: a page is appended stream by stream).
      const [fed, copied] = await Promise.all([readAll(source), readAll(target)]);
      const byStream = (events: typeof fed) =>
        events.map((e) => [e.streamId, e.revision, e.eventId, e.hash].join(' ')).sort();
      expect(byStream(copied)).toEqual(byStream(fed));
      const feedOrder = (events: typeof fed, streamId: string) =>
        events.filter((e) => e.streamId === streamId).map((e) => e.revision);
      expect(feedOrder(copied, fed[0]!.streamId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const verified = await verifyStore(target);
      expect(verified).toEqual({ streams: 1000, events: 10_000, broken: [] });

      // And verify finds a link broken behind the store's back.
      const c = new Client({ connectionString: to.url });
      await c.connect();
      await c.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
      await c.query(`UPDATE ledger_events SET type = 'consent.given' WHERE stream_id = $1 AND revision = 4`, [
        fed[0]!.streamId,
      ]);
      await c.end();
      expect((await verifyStore(target)).broken).toEqual([
        { streamId: fed[0]!.streamId, revision: 4, problem: 'hash-mismatch' },
      ]);
    } finally {
      await source.close();
      await target.close();
      await from.drop();
      await to.drop();
    }
  });
});

async function readAll(store: PostgresEventStore) {
  const all = [];
  let checkpoint: string | null = null;
  for (;;) {
    const page = await store.readFeed(checkpoint, 5000);
    if (page.length === 0) break;
    all.push(...page);
    checkpoint = page[page.length - 1]!.checkpoint;
  }
  return all;
}
