import type { StoredEvent } from '#ledger/event-store';
import { inTransaction, migrate } from '#ledger/postgres';
import { suiteDatabase } from '../../../../test/support/test-database';
import { ProcessingActivityProjection } from './processing-activity.projection';
import { ProcessingActivityReader } from './processing-activity.reader';

const [alice, bob] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
let position = 0;
const stored = (subjectId: string, type: string, data: object, day: string, source = 'webcruiter'): StoredEvent => {
  position += 1;
  return {
    eventId: `e${position}`,
    type,
    data: data as Record<string, unknown>,
    personal: null,
    meta: {
      envelopeId: `m${position}`,
      envelopeHash: 'h',
      occurredAt: `${day}T09:00:00.000Z`,
      source,
      correlationId: 'c',
      causationId: 'c',
    },
    recordedAt: `${day}T09:00:01.000Z`,
    streamId: `subject-${subjectId}`,
    revision: position,
    checkpoint: String(position),
    hash: 'h',
    previousHash: null,
  };
};
const collected = (purpose: string) => ({ purpose, lawfulBasis: 'consent', collectedFrom: 'processor', fields: [] });
const disclosed = (recipient: string) => ({ recipient, purpose: 'marketing', lawfulBasis: 'consent', fields: [] });

describe('the processing-activity projection in PostgreSQL', () => {
  const db = suiteDatabase();

  it('counts each event once, replayed or not: persons once per purpose, the latest moment, systems', async () => {
    const projection = new ProcessingActivityProjection();
    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    const apply = (events: StoredEvent[]) => inTransaction(db.pool, (client) => projection.apply(events, client));
    const batches = [
      [
        stored(alice, 'data.collected', collected('marketing'), '2027-01-05', 'webcruiter'),
        stored(alice, 'data.disclosed', disclosed('Datamegler AS'), '2027-01-06'),
      ],
      [
        stored(
          alice,
          'consent.given',
          { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' },
          '2027-01-02',
        ),
        stored(bob, 'data.collected', collected('marketing'), '2027-01-03', 'spreadsheet'),
        stored(bob, 'data.collected', collected('security'), '2027-01-04', 'webcruiter'),
        stored(bob, 'data.disclosed', disclosed('Datamegler AS'), '2027-01-07'),
      ],
      [stored(bob, 'restriction.placed', {}, '2027-01-08')],
    ];
    for (const batch of batches) await apply(batch);
    // A replay from position 0 without a reset: every event again, counted once all the same.
    await apply(batches.flat());
    const observed = await new ProcessingActivityReader(db.pool).read();
    expect(Object.fromEntries(observed.purposes)).toEqual({
      marketing: { subjects: 2, events: 5, lastAt: '2027-01-07T09:00:00.000Z' },
      security: { subjects: 1, events: 1, lastAt: '2027-01-04T09:00:00.000Z' },
    });
    expect(observed.parties).toEqual([
      { kind: 'recipient', name: 'Datamegler AS', events: 2, lastAt: '2027-01-07T09:00:00.000Z' },
      { kind: 'source', name: 'spreadsheet', events: 1, lastAt: '2027-01-03T09:00:00.000Z' },
      { kind: 'source', name: 'webcruiter', events: 2, lastAt: '2027-01-05T09:00:00.000Z' },
    ]);

    await inTransaction(db.pool, (client) => projection.reset(client));
    const emptied = await new ProcessingActivityReader(db.pool).read();
    expect([emptied.purposes.size, emptied.parties.length]).toEqual([0, 0]);
  });
});

describe('the processing-activity projection over a store recorded before it', () => {
  const db = suiteDatabase();

  it('fills from the history in ledger_events by its migration: the figures of the fold, counted once', async () => {
    const history = [
      stored(alice, 'data.collected', collected('marketing'), '2027-02-01', 'webcruiter'),
      stored(alice, 'data.disclosed', disclosed('Datamegler AS'), '2027-02-02'),
      stored(bob, 'objection.raised', { objectionId: 'o', purposes: ['security', 'marketing'] }, '2027-02-03'),
      stored(bob, 'data.collected', collected('security'), '2027-02-04', 'spreadsheet'),
      stored(bob, 'restriction.placed', {}, '2027-02-05'),
    ];
    // The store's table as far as the migration reads it.
    await db.pool.query(`CREATE TABLE ledger_events (stream_id text NOT NULL, revision integer NOT NULL,
      type text NOT NULL, data json NOT NULL, meta json NOT NULL, recorded_at timestamptz NOT NULL)`);
    for (const e of history) {
      await db.pool.query('INSERT INTO ledger_events VALUES ($1, $2, $3, $4, $5, $6)', [
        e.streamId,
        e.revision,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.meta),
        e.recordedAt,
      ]);
    }
    const projection = new ProcessingActivityProjection();
    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    const backfilled = await new ProcessingActivityReader(db.pool).read();

    // The feed, behind the migration, brings the same events again and one new one.
    const later = stored(bob, 'data.used', { purpose: 'security', lawfulBasis: 'x', fields: [] }, '2027-02-06');
    await inTransaction(db.pool, (client) => projection.apply([...history, later], client));
    const caughtUp = await new ProcessingActivityReader(db.pool).read();

    await inTransaction(db.pool, (client) => projection.reset(client));
    await inTransaction(db.pool, (client) => projection.apply(history, client));
    const folded = await new ProcessingActivityReader(db.pool).read();

    expect(backfilled).toEqual(folded);
    expect(Object.fromEntries(backfilled.purposes)).toEqual({
      marketing: { subjects: 2, events: 3, lastAt: '2027-02-03T09:00:00.000Z' },
      security: { subjects: 1, events: 2, lastAt: '2027-02-04T09:00:00.000Z' },
    });
    expect(backfilled.parties.map((p) => `${p.kind}:${p.name}:${p.events}`)).toEqual([
      'recipient:Datamegler AS:1',
      'source:spreadsheet:1',
      'source:webcruiter:1',
    ]);
    expect(caughtUp.purposes.get('security')).toEqual({ subjects: 1, events: 3, lastAt: '2027-02-06T09:00:00.000Z' });
    expect(caughtUp.purposes.get('marketing')).toEqual(backfilled.purposes.get('marketing'));
  });
});
