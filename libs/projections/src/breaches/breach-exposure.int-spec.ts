import { randomUUID } from 'node:crypto';
import { NO_STREAM, PostgresEventStore, type NewEvent } from '#ledger/event-store';
import { inTransaction, migrate } from '#ledger/postgres';
import { suiteDatabase } from '../../../../test/support/test-database';
import { BreachExposureProjection } from './breach-exposure.projection';

const [alice, bob] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];

const event = (type: string, data: object, occurredAt: string, source = 'webcruiter'): NewEvent => ({
  eventId: randomUUID(),
  type,
  data: data as Record<string, unknown>,
  personal: null,
  meta: { envelopeId: randomUUID(), envelopeHash: 'h', occurredAt, source, correlationId: 'c', causationId: 'c' },
  recordedAt: occurredAt,
});

describe('the breach exposure index in PostgreSQL', () => {
  const db = suiteDatabase();

  it('is filled from the history in the store as the feed fills it, erasures and later collections alike', async () => {
    const store = await PostgresEventStore.open({ url: db.url, pool: db.pool });
    await store.append([
      {
        streamId: `subject-${alice}`,
        expected: NO_STREAM,
        events: [
          event('data.collected', { fields: ['contact.email', 'work.position'] }, '2026-10-01T09:00:00.000Z'),
          event('data.disclosed', { recipient: 'Assessio', fields: ['contact.email'] }, '2026-10-02T09:00:00.000Z'),
          event('erasure.completed', { scope: ['contact'], categories: ['contact'] }, '2026-10-03T09:00:00.000Z'),
          event('data.collected', { fields: ['contact.phone'] }, '2026-10-04T09:00:00.000Z'),
        ],
      },
      {
        streamId: `subject-${bob}`,
        expected: NO_STREAM,
        events: [event('data.collected', { fields: ['contact.email'] }, '2026-10-01T09:00:00.000Z', 'invenias')],
      },
      {
        streamId: `breach-${randomUUID()}`,
        expected: NO_STREAM,
        events: [
          event('breach.recorded', { systems: ['webcruiter'], categories: ['contact'] }, '2026-10-05T09:00:00.000Z'),
        ],
      },
    ]);
    const projection = new BreachExposureProjection();
    const rows = async () =>
      (
        await db.pool.query<{ row: string }>(
          `SELECT concat_ws(' ', subject_id, system, category,
             to_char(first_at AT TIME ZONE 'UTC', 'MM-DD'), to_char(last_at AT TIME ZONE 'UTC', 'MM-DD'),
             coalesce(to_char(erased_at AT TIME ZONE 'UTC', 'MM-DD'), '-')) AS row
           FROM ledger_breach_exposure ORDER BY subject_id, system, category`,
        )
      ).rows.map((r) => r.row);
    const expected = [
      `${alice} Assessio contact 10-02 10-02 10-03`,
      `${alice} webcruiter contact 10-01 10-04 -`,
      `${alice} webcruiter work 10-01 10-01 -`,
      `${bob} invenias contact 10-01 10-01 -`,
    ];

    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    expect(await rows()).toEqual(expected);

    await inTransaction(db.pool, (client) => projection.reset(client));
    expect(await rows()).toEqual([]);
    const feed = await store.readFeed(null, 100);
    await inTransaction(db.pool, (client) => projection.apply(feed, client));
    expect(await rows()).toEqual(expected);
    // A batch applied again (after a crash) leaves the index as it was.
    await inTransaction(db.pool, (client) => projection.apply(feed, client));
    expect(await rows()).toEqual(expected);
  });
});
