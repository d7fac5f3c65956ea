import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_KAFKA_BROKERS, ensureKafkaBroker } from './kafka-broker';
import { MACHINE_POSTGRES_URL, reachable, startTestEmbeddedPostgres } from './postgres-servers';

/**
 * Finds the real servers the integration and end-to-end suites need, once per run:
 * - LEDGER_TEST_PG_URL: the machine's PostgreSQL when reachable, else an embedded one;
 * - LEDGER_TEST_EMBEDDED_PG_URL: always an embedded one, so the store contract runs on both;
 * - LEDGER_TEST_KAFKA_BROKERS: the broker of deploy/kafka, started here when not running;
 * - LEDGER_TEST_TMP: this run's own temporary directory (services' data directories), removed at
 *   the end of the run.
 * A server that cannot be had fails the run, in CI and everywhere else; nothing is skipped.
 * `LEDGER_TEST_SERVERS=none` (set by `npm run test:unit`) starts nothing: unit tests need no I/O.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.LEDGER_TEST_SERVERS === 'none') return;
  process.env.LEDGER_TEST_TMP = mkdtempSync(join(tmpdir(), 'ledger-test-run-'));
  // Traversable (not listable) by others: an embedded server run for root runs as `postgres`.
  chmodSync(process.env.LEDGER_TEST_TMP, 0o711);
  try {
    const startedKafka = ensureKafkaBroker();
    process.env.LEDGER_TEST_KAFKA_BROKERS = TEST_KAFKA_BROKERS;
    process.env.LEDGER_TEST_KAFKA_STARTED = startedKafka ? '1' : '';
    console.log(`\n[test setup] Kafka: ${startedKafka ? 'started' : 'already running'} at ${TEST_KAFKA_BROKERS}`);
  } catch (error) {
    throw new Error(`[test setup] ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    const embedded = await startTestEmbeddedPostgres();
    process.env.LEDGER_TEST_EMBEDDED_PG_URL = embedded.url;
    const machine = await reachable(MACHINE_POSTGRES_URL);
    process.env.LEDGER_TEST_PG_URL = machine ? MACHINE_POSTGRES_URL : embedded.url;
    process.env.LEDGER_TEST_PG_KIND = machine ? 'machine' : 'embedded';
    console.log(
      process.env.KURRENTDB_URL
        ? `\n[test setup] KurrentDB: the event store contract runs against ${process.env.KURRENTDB_URL}`
        : '\n[test setup] KurrentDB: NOT RUN. KURRENTDB_URL is not set, so the event store contract ' +
            'did not run against KurrentDB (no server can be installed here).',
    );
    console.log(
      `\n[test setup] PostgreSQL: ` +
        `${machine ? 'the machine server at 127.0.0.1:5432' : 'embedded (no server at 127.0.0.1:5432)'}; ` +
        `embedded server on port ${embedded.port}`,
    );
  } catch (error) {
    throw new Error(
      `[test setup] no PostgreSQL could be had: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
