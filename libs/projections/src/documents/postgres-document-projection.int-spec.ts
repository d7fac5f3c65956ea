import type { StoredEvent } from '#ledger/event-store';
import { inTransaction, migrate } from '#ledger/postgres';
import { suiteDatabase } from '../../../../test/support/test-database';
import type { DocumentProjection, DocumentTable } from './document-projection';
import { PostgresDocumentProjection } from './postgres-document-projection';

/** A projection of another shape than the subject state: what kinds of event each order saw. */
interface OrderTally {
  readonly orderId: string;
  readonly types: string[];
  version: number;
}
const tally: DocumentProjection<OrderTally> = {
  name: 'order-tally',
  canHandle: (event) => event.streamId.startsWith('order-'),
  documentId: (event) => event.streamId.slice('order-'.length),
  initialState: (orderId) => ({ orderId, types: [], version: 0 }),
  evolve: (document, event) => ({ ...document, types: [...document.types, event.type], version: event.revision + 1 }),
  version: (document) => document.version,
};
const TALLY_TABLE: DocumentTable<OrderTally> = {
  name: 'test_order_tally',
  description: 'order tally: one row per order',
  key: { name: 'order_id', type: 'text' },
  columns: [{ name: 'events', type: 'integer NOT NULL', value: (document) => document.types.length }],
  document: 'tally',
  indexes: [{ suffix: 'events', on: 'events' }],
};

const event = (streamId: string, revision: number, type: string): StoredEvent => ({
  eventId: `${streamId}/${revision}`,
  type,
  data: {},
  personal: null,
  meta: {
    envelopeId: 'e',
    envelopeHash: 'h',
    occurredAt: '2026-01-01T00:00:00.000Z',
    source: 'test',
    correlationId: 'c',
    causationId: 'c',
  },
  recordedAt: '2026-01-01T00:00:00.000Z',
  streamId,
  revision,
  checkpoint: '0',
  hash: 'h',
  previousHash: null,
});
const first = [
  event('order-a', 0, 'placed'),
  event('other-x', 0, 'ignored'),
  event('order-b', 0, 'placed'),
  event('order-a', 1, 'paid'),
];
const second = [event('order-b', 1, 'cancelled'), event('order-a', 2, 'shipped')];

describe('the PostgreSQL writer of a declared document projection', () => {
  const db = suiteDatabase();
  const rows = async (table: string) =>
    (await db.pool.query(`SELECT order_id, events, tally FROM ${table} ORDER BY order_id`)).rows as Array<{
      order_id: string;
      events: number;
      tally: OrderTally;
    }>;
  const expected = [
    { order_id: 'a', events: 3, tally: { orderId: 'a', types: ['placed', 'paid', 'shipped'], version: 3 } },
    { order_id: 'b', events: 2, tally: { orderId: 'b', types: ['placed', 'cancelled'], version: 2 } },
  ];

  it('keeps one row per stream it handles, with its declared columns; a batch applied again folds once', async () => {
    const writer = new PostgresDocumentProjection(tally, TALLY_TABLE);
    await migrate(db.pool, `projection:${writer.name}`, writer.migrations);
    await inTransaction(db.pool, (client) => writer.apply(first, client));
    await inTransaction(db.pool, (client) => writer.apply(second, client));
    // A crash after the commit but before the checkpoint moved: both batches come again.
    await inTransaction(db.pool, (client) => writer.apply([...first, ...second], client));
    expect(await rows('test_order_tally')).toEqual(expected);
  });

  it('writes whole streams into a shadow table that then replaces the live one, indexes and all', async () => {
    const live = new PostgresDocumentProjection(tally, TALLY_TABLE);
    const shadow = live.withTable('test_order_tally_rebuild');
    await inTransaction(db.pool, async (client) => {
      await shadow.createTable(client);
      await shadow.applyFresh(
        [...first, ...second].sort((x, y) => x.streamId.localeCompare(y.streamId) || x.revision - y.revision),
        client,
      );
      await shadow.createIndexes(client);
      await shadow.replace(client, live.table);
    });
    expect(await rows('test_order_tally')).toEqual(expected);
    const { rows: indexes } = await db.pool.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'test_order_tally' ORDER BY 1`,
    );
    expect(indexes.map((r) => r.indexname)).toEqual(['test_order_tally_events', 'test_order_tally_pkey']);
  });
});
