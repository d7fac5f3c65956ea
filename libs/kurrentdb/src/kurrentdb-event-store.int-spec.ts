import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from '#ledger/postgres';
import { createTestDatabase } from '../../../test/support/test-database';
import { eventStoreContract } from '../../event-store/src/testing/event-store.contract';
import { KurrentDbEventStore } from './kurrentdb-event-store';

const url = process.env.KURRENTDB_URL;

/**
 * The same event store contract as PostgreSQL's, against a real KurrentDB server when
 * KURRENTDB_URL is set. None can be installed on this machine, and none is imitated: without the
 * variable the contract does not run, the global setup says so in the log, and only the adapter's
 * PostgreSQL side (its envelope index) is tested here.
 */
describe('KurrentDbEventStore', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  const pool = async (): Promise<Pool> => {
    const db = await createTestDatabase();
    const p = createPool(db.url);
    cleanups.push(async () => {
      await p.end();
      await db.drop();
    });
    return p;
  };

  if (url) {
    describe(`the event store contract on KurrentDB at ${url}`, () =>
      eventStoreContract(async () => KurrentDbEventStore.open({ url, pool: await pool() })));
  } else {
    it('keeps its envelope index in PostgreSQL (the contract itself needs KURRENTDB_URL)', async () => {
      const p = await pool();
      const store = await KurrentDbEventStore.open({ url: 'kurrentdb://127.0.0.1:2113?tls=false', pool: p });
      const id = randomUUID();
      expect(await store.findEnvelopes([id])).toEqual([]);
      await p.query("INSERT INTO ledger_kurrent_envelopes VALUES ($1, 'h', 'subject-x')", [id]);
      expect(await store.findEnvelopes([id])).toEqual([{ envelopeId: id, envelopeHash: 'h', streamId: 'subject-x' }]);
      expect(store.globallyIdempotent).toBe(false);
      await store.close();
    });
  }
});
