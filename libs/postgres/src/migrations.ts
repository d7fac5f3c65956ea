import type { Pool } from 'pg';

/** One schema change. Never edit a shipped migration: add the next one. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Applies a module's migrations in order, each in its own transaction, under one advisory lock for
 * all modules, so that several instances (and several modules of one instance, built concurrently)
 * apply each migration once and create the shared bookkeeping table once.
 */
export async function migrate(pool: Pool, module: string, migrations: readonly Migration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['ledger-migrations']);
    await client.query(`CREATE TABLE IF NOT EXISTS ledger_migrations (
      module text NOT NULL, version integer NOT NULL, description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (module, version))`);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM ledger_migrations WHERE module = $1',
      [module],
    );
    const applied = new Set(rows.map((r) => r.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO ledger_migrations (module, version, description) VALUES ($1, $2, $3)', [
          module,
          migration.version,
          migration.description,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['ledger-migrations']).catch(() => undefined);
    client.release();
  }
}

/**
 * The SQL that makes a table of evidence append-only: UPDATE, DELETE and TRUNCATE through the
 * ledger's own role are refused (`restrict_violation`). A superuser can still disable it.
 */
export const appendOnlySql = (table: string): string => `
  CREATE FUNCTION ${table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '${table} is append-only' USING ERRCODE = 'restrict_violation';
  END $$;
  CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
    FOR EACH ROW EXECUTE FUNCTION ${table}_immutable();
  CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_immutable();`;
