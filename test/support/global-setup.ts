import { MACHINE_POSTGRES_URL, reachable, startTestEmbeddedPostgres } from './postgres-servers';

/**
 * Finds the real servers the integration and end-to-end suites need, once per run:
 * - LEDGER_TEST_PG_URL: the machine's PostgreSQL when reachable, else an embedded one;
 * - LEDGER_TEST_EMBEDDED_PG_URL: always an embedded one, so the store contract runs on both.
 * Under CI=true a server that cannot be had fails the run; it is never skipped.
 */
export default async function globalSetup(): Promise<void> {
  try {
    const embedded = await startTestEmbeddedPostgres();
    process.env.LEDGER_TEST_EMBEDDED_PG_URL = embedded.url;
    const machine = await reachable(MACHINE_POSTGRES_URL);
    process.env.LEDGER_TEST_PG_URL = machine ? MACHINE_POSTGRES_URL : embedded.url;
    process.env.LEDGER_TEST_PG_KIND = machine ? 'machine' : 'embedded';
    console.log(`\n[test setup] PostgreSQL: ${machine ? 'the machine server at 127.0.0.1:5432' : 'embedded (no server at 127.0.0.1:5432)'}; embedded server on port ${embedded.port}`);
  } catch (error) {
    throw new Error(`[test setup] no PostgreSQL could be had: ${error instanceof Error ? error.message : String(error)}`);
  }
}
