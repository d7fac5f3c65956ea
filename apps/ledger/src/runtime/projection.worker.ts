import { workerData } from 'node:worker_threads';
import { Keyring } from '#ledger/crypto';
import { KafkajsPublisher, LedgerPublicationProjection } from '#ledger/kafka';
import { createPool, safeErrorSummary } from '#ledger/postgres';
import { ProjectionRunner, SharedFeed, serveProjectionThread } from '#ledger/projections';
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
  /** With Kafka: the publication of what is recorded, without personal values, to the ledger topic. */
  readonly publication?: { readonly brokers: readonly string[]; readonly clientId: string; readonly topic: string };
}

/**
 * The service's projections in a worker thread (LEDGER_PROJECTION_THREAD=on): the read models
 * and, with Kafka, the publication downstream. Its own connections: a step's transaction each,
 * the keyring's and the directory's statements, LISTEN.
 */
void serveProjectionThread(async ({ log, onProgress, onError }) => {
  const data = workerData as ProjectionWorkerData;
  const pool = createPool(data.databaseUrl, { max: 4 }, (error) => log('warn', `idle database connection lost: ${safeErrorSummary(error)}`));
  const store = await openEventStore(data.storeUrl, pool, true);
  const keyring = await Keyring.open(pool, Buffer.from(data.masterKey, 'base64'));
  const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
  const feed = new SharedFeed(store);
  const options = { onProgress, onError, feed };
  const runners = [new ProjectionRunner(store, pool, readModelProjection(data.inactivityMonths, keyring, directory), options)];
  let publisher: KafkajsPublisher | null = null;
  if (data.publication) {
    const { brokers, clientId, topic } = data.publication;
    publisher = new KafkajsPublisher(brokers, clientId, (line) => log('warn', line));
    runners.push(new ProjectionRunner(store, pool, new LedgerPublicationProjection(publisher, topic), options));
  }
  for (const runner of runners) await runner.prepare();
  return {
    runners,
    close: async () => {
      await publisher?.close();
      await store.close();
      await pool.end();
    },
  };
}).catch((error: unknown) => {
  // Failing to open (the database unreachable): the owner sees the exit and starts the thread again.
  throw new Error(`projection thread could not start: ${safeErrorSummary(error)}`);
});
