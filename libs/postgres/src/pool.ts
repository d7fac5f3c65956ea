import { Pool, type PoolConfig } from 'pg';

export type { Pool, PoolClient } from 'pg';

/**
 * A pool for the ledger's PostgreSQL. Errors of idle clients (a restarted server, a cut
 * connection) are reported, not thrown: an unhandled 'error' event would kill the process,
 * and the next query simply opens a new connection.
 */
export function createPool(
  connectionString: string,
  options: PoolConfig = {},
  onIdleError?: (error: Error) => void,
): Pool {
  const pool = new Pool({
    connectionString,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'processing-ledger',
    // Never JIT-compile: the ledger's statements are short or index-bound, and a planner estimate
    // gone high (a set-returning function, an array of unknown length) would spend far longer
    // compiling a statement than running it. Set at connection start, so no statement runs first.
    options: '-c jit=off',
    ...options,
  });
  pool.on('error', (error) => onIdleError?.(error));
  // A checked-out client whose connection drops between two queries emits 'error' with nobody
  // listening, which would kill the process; the next query on it fails and says so instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs `work` in one transaction; rolls back on any error and rethrows it. */
export async function inTransaction<T>(pool: Pool, work: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The SQLSTATE and constraint of a driver error, if it is one. */
export const pgErrorOf = (error: unknown): { code?: string; constraint?: string } =>
  typeof error === 'object' && error !== null ? (error as { code?: string; constraint?: string }) : {};

/**
 * What may be logged of an error: its class and SQLSTATE, never its message or detail, which for
 * driver errors can quote the rejected row (a personal value).
 */
export const safeErrorSummary = (error: unknown): string => {
  if (!(error instanceof Error)) return 'unknown error';
  const { code, constraint } = pgErrorOf(error);
  return [error.name, code, constraint].filter(Boolean).join(' ');
};
