import { stopKafkaBroker } from './kafka-broker';
import { stopTestEmbeddedPostgres } from './postgres-servers';

export default async function globalTeardown(): Promise<void> {
  await stopTestEmbeddedPostgres();
  // A broker this run started is stopped; one that was running before is left as it was.
  if (process.env.LEDGER_TEST_KAFKA_STARTED) stopKafkaBroker();
}
