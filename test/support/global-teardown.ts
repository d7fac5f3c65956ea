import { rmSync } from 'node:fs';
import { stopKafkaBroker } from './kafka-broker';
import { stopLeftoverSaslSslBrokers } from './sasl-kafka-broker';
import { stopTestEmbeddedPostgres } from './postgres-servers';

export default async function globalTeardown(): Promise<void> {
  await stopTestEmbeddedPostgres();
  if (process.env.LEDGER_TEST_TMP) {
    // A second broker that a crashed suite left running keeps its state in the run's directory.
    stopLeftoverSaslSslBrokers(process.env.LEDGER_TEST_TMP);
    // The services' data directories of this run (tokens, keys, embedded clusters of e2e tests).
    rmSync(process.env.LEDGER_TEST_TMP, { recursive: true, force: true });
  }
  // A broker this run started is stopped; one that was running before is left as it was.
  if (process.env.LEDGER_TEST_KAFKA_STARTED) stopKafkaBroker();
}
