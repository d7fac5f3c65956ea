import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../support/test-database';

const DIST = resolve(__dirname, '../../dist');

/**
 * The built service's event store factory, as Node loads it: on PostgreSQL the KurrentDB client
 * (gRPC, protobuf: 40-70 MB of peak RSS) is never loaded; a KurrentDB URL loads the adapter on
 * demand through the package's `#ledger/kurrentdb` import. Opening it contacts no KurrentDB server
 * (the client connects on first use), so this runs without one.
 */
describe('the built event store factory', () => {
  const open = async (databaseUrl: string, storeUrl: string) => {
    const script = `
      const { createPool } = require(${JSON.stringify(`${DIST}/libs/postgres/src/index.js`)});
      const { openEventStore } = require(${JSON.stringify(`${DIST}/apps/ledger/src/modules/event-store.js`)});
      const pool = createPool(process.env.DB);
      openEventStore(process.env.STORE, pool, true).then(async (store) => {
        const loaded = Object.keys(require.cache).filter((path) => path.includes('@kurrent')).length > 0;
        const kind = store.constructor.name;
        await store.close();
        await pool.end();
        console.log(JSON.stringify({ kind, kurrentClientLoaded: loaded }));
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, DB: databaseUrl, STORE: storeUrl },
    });
    return JSON.parse(stdout.trim()) as { kind: string; kurrentClientLoaded: boolean };
  };

  it('opens PostgreSQL without loading the KurrentDB client, and KurrentDB with it', async () => {
    const db = await createTestDatabase();
    try {
      expect(await open(db.url, db.url)).toEqual({ kind: 'PostgresEventStore', kurrentClientLoaded: false });
      expect(await open(db.url, 'kurrentdb://127.0.0.1:1?tls=false')).toEqual({
        kind: 'KurrentDbEventStore',
        kurrentClientLoaded: true,
      });
    } finally {
      await db.drop();
    }
  });
});
