import { workerData } from 'node:worker_threads';
import { Keyring } from '#ledger/crypto';
import { KafkajsPublisher, type KafkaConnection } from '#ledger/kafka';
import { createPool, safeErrorSummary } from '#ledger/postgres';
import { serveProjectionThread } from '#ledger/projections';
import { PostgresSubjectDirectory } from '#ledger/recording';
import { leafIndexFaultLine, PostgresTreeStore } from '#ledger/verifiable-log';
import { openEventStore } from './event-store';
import { serviceProjections } from './service-projections';

/** What the service hands its projection thread. */
export interface ProjectionWorkerData {
  readonly databaseUrl: string;
  /** The event store: the same PostgreSQL, or KurrentDB. */
  readonly storeUrl: string;
  /** The master key, base64: erasures in the feed destroy data keys. */
  readonly masterKey: string;
  readonly inactivityMonths: number;
  /** With Kafka: the publication of what is recorded, without personal values, to the ledger topic. */
  readonly publication?: { readonly connection: KafkaConnection; readonly clientId: string; readonly topic: string };
}

/**
 * The service's projections in a worker thread (LEDGER_PROJECTION_THREAD=on): the read models,
 * the verifiable log's tree and, with Kafka, the publication downstream. Its own connections: a
 * step's transaction each (the tree's too), the keyring's and the directory's statements, LISTEN.
 */
void serveProjectionThread(async ({ log, onProgress, onError }) => {
  const data = workerData as ProjectionWorkerData;
  const pool = createPool(data.databaseUrl, { max: 5 }, (error) =>
    log('warn', `idle database connection lost: ${safeErrorSummary(error)}`),
  );
  const store = await openEventStore(data.storeUrl, pool, true);
  const keyring = await Keyring.open(pool, Buffer.from(data.masterKey, 'base64'));
  const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
  const publisher = data.publication
    ? new KafkajsPublisher(data.publication.connection, data.publication.clientId, (line) => log('warn', line))
    : null;
  const tree = await PostgresTreeStore.open(pool, {
    onLeafIndexFault: (error) => log('warn', leafIndexFaultLine(error)),
  });
  const {
    readModel,
    publication,
    tree: treeRunner,
    compliance,
  } = serviceProjections(
    {
      store,
      pool,
      keyring,
      directory,
      inactivityMonths: data.inactivityMonths,
      publication: publisher && { publisher, topic: data.publication!.topic },
      tree,
    },
    { onProgress, onError },
  );
  const runners = [readModel, treeRunner, compliance, ...(publication ? [publication] : [])];
  for (const runner of runners) await runner.prepare();
  return {
    runners,
    close: async () => {
      await publisher?.close();
      await store.close();
      await tree.close();
      await pool.end();
    },
  };
});
