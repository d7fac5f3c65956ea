import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPool, type Pool } from '#ledger/postgres';

export type ServerKind = 'machine-or-embedded' | 'embedded';

const serverUrl = (kind: ServerKind): string => {
  const url = kind === 'embedded' ? process.env.LEDGER_TEST_EMBEDDED_PG_URL : process.env.LEDGER_TEST_PG_URL;
  if (!url) throw new Error('no test PostgreSQL: the jest global setup did not run (run the suites through jest)');
  return url;
};

/** A fresh database on the chosen test server, so suites never see each other's rows. */
export async function createTestDatabase(
  kind: ServerKind = 'machine-or-embedded',
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = serverUrl(kind);
  const name = `ledger_test_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A pool on a fresh test database for the whole suite: made before its tests, closed and dropped
 * after them. Read `pool` inside tests (it is set once the suite has started).
 */
export function suiteDatabase(): { readonly pool: Pool; readonly url: string } {
  const suite = {} as { pool: Pool; url: string; drop?: () => Promise<void> };
  beforeAll(async () => {
    const db = await createTestDatabase();
    Object.assign(suite, { url: db.url, drop: db.drop, pool: createPool(db.url) });
  });
  afterAll(async () => {
    await suite.pool?.end();
    await suite.drop?.();
  });
  return suite;
}
