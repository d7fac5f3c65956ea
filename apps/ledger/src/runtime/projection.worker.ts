import { workerData } from 'node:worker_threads';
import { Keyring } from '#ledger/crypto';
import { createPool, safeErrorSummary } from '#ledger/postgres';
import { ProjectionRunner, serveProjectionThread } from '#ledger/projections';
import { PostgresSubjectDirectory } from '#ledger/recording';
import { openEventStore } from './event-store.factory';
import { readModelProjection } from './read-model';

/** What the service hands its projection thread. */
export interface ProjectionWorkerData {
  readonly databaseUrl: string;
  /** The event store: the same PostgreSQL, or KurrentDB. */
  readonly storeUrl: string;
  /** The master key, base64: erasures in the feed destroy data keys. */
  readonly masterKey: string;
  readonly inactivityMonths: number;
}

/**
 * The read models' runner, in a worker thread of the service (LEDGER_PROJECTION_THREAD=on): its
 * own connections (a step's transaction, the keyring's and the directory's statements, LISTEN).
 */
void serveProjectionThread(async ({ log, onProgress, onError }) => {
  const data = workerData as ProjectionWorkerData;
  const pool = createPool(data.databaseUrl, { max: 3 }, (error) => log('warn', `idle database connection lost: ${safeErrorSummary(error)}`));
  const store = await openEventStore(data.storeUrl, pool, true);
  const keyring = await Keyring.open(pool, Buffer.from(data.masterKey, 'base64'));
  const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
  const runner = new ProjectionRunner(store, pool, readModelProjection(data.inactivityMonths, keyring, directory), { onProgress, onError });
  await runner.prepare();
  return {
    runner,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}).catch((error: unknown) => {
  // Failing to open (the database unreachable): the owner sees the exit and starts the thread again.
  throw new Error(`projection thread could not start: ${safeErrorSummary(error)}`);
});
