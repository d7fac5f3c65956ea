import { randomBytes } from 'node:crypto';
import { Keyring } from '#ledger/crypto';
import { createPool } from '#ledger/postgres';
import { PostgresTreeStore } from '#ledger/verifiable-log';
import { suiteDatabase } from '../../../../test/support/test-database';
import { AccessLog } from '../access-log/access-log';
import { accessLeavesInIdOrder, appendPendingAccess } from './access-leaves';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};

describe('access-log entries as leaves of the verifiable log', () => {
  const db = suiteDatabase();
  const auditor = { role: 'auditor' as const, name: 'auditor#3' };
  const subjectId = '44444444-4444-4444-8444-444444444444';
  const master = randomBytes(32);

  it('appends each entry once, in id order, and recomputes the same leaves from the log', async () => {
    const keyring = await Keyring.open(db.pool, master);
    // Two instances writing at once: ids are drawn under the insert lock, so they commit in id order.
    const second = createPool(db.url, { max: 2 });
    try {
      const logs = [await AccessLog.open(db.pool, keyring), await AccessLog.open(second, keyring)];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => logs[i % 2]!.record(auditor, subjectId, `read-${i}`, null)),
      );
    } finally {
      await second.end();
    }
    const tree = await PostgresTreeStore.open(db.pool);
    expect(await appendPendingAccess(db.pool, tree, 7)).toBe(40);
    // Again, as after a crash between the append and the next tick: nothing twice.
    expect(await appendPendingAccess(db.pool, tree, 7)).toBe(0);
    expect(await tree.size()).toBe(40);

    const stored = await tree.leaves(0, 100);
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM ledger_access_log ORDER BY id');
    expect(stored.map((l) => [l.kind, l.sourceId])).toEqual(rows.map((r) => ['access', r.id]));
    const recomputed = await collect(accessLeavesInIdOrder(db.pool, 9));
    expect(recomputed.map((l) => l.leafHash.toString('hex'))).toEqual(stored.map((l) => l.leafHash.toString('hex')));

    // An entry changed behind the ledger's back gives another leaf than the tree holds.
    await db.pool.query('ALTER TABLE ledger_access_log DISABLE TRIGGER USER');
    await db.pool.query(`UPDATE ledger_access_log SET resource = 'nothing' WHERE id = $1`, [rows[5]!.id]);
    await db.pool.query('ALTER TABLE ledger_access_log ENABLE TRIGGER USER');
    const after = await collect(accessLeavesInIdOrder(db.pool));
    const differing = after.flatMap((l, i) => (l.leafHash.equals(stored[i]!.leafHash) ? [] : [i]));
    expect(differing).toEqual([5]);
  });

  it('draws an entry id only once every earlier entry has committed, so none lands behind the tree', async () => {
    const log = await AccessLog.open(db.pool, await Keyring.open(db.pool, master));
    const earlier = await db.pool.connect();
    try {
      // An insert in flight elsewhere holds the insert lock until it commits.
      await earlier.query('BEGIN');
      await earlier.query("SELECT pg_advisory_xact_lock(hashtext('ledger-access-log:insert'))");
      let written = false;
      const later = log.record(auditor, subjectId, 'later', null).then(() => (written = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(written).toBe(false);
      await earlier.query('COMMIT');
      await later;
      expect(written).toBe(true);
    } finally {
      earlier.release();
    }
  });
});
