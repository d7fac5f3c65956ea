import { randomBytes } from 'node:crypto';
import { Keyring } from '#ledger/crypto';
import { PostgresEventStore } from '#ledger/event-store';
import { createPool, type Pool } from '#ledger/postgres';
import { LedgerWriter, PostgresSubjectDirectory, type LedgerWriterOptions } from '#ledger/recording';
import { defaultPolicy } from '../../libs/domain/src/testing/envelopes';
import { createTestDatabase } from './test-database';

/** The write side of the ledger on a fresh test database: store, keyring, directory, writer. */
export interface LedgerFixture {
  readonly url: string;
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly keyring: Keyring;
  readonly directory: PostgresSubjectDirectory;
  writer(overrides?: Partial<LedgerWriterOptions>): LedgerWriter;
  close(): Promise<void>;
}

export async function openLedgerFixture(): Promise<LedgerFixture> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 20 });
  const store = await PostgresEventStore.open({ url: db.url, pool });
  const keyring = await Keyring.open(pool, randomBytes(32));
  const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
  const policy = defaultPolicy();
  return {
    url: db.url,
    pool,
    store,
    keyring,
    directory,
    writer: (overrides = {}) => new LedgerWriter({ store, directory, keyring, policy, ...overrides }),
    close: async () => {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}
