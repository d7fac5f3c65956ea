import { randomBytes } from 'node:crypto';
import { Keyring, openValue } from '#ledger/crypto';
import { createPool, migrate } from '#ledger/postgres';
import { createTestDatabase, suiteDatabase } from '../../../../test/support/test-database';
import { ACCESS_LOG_MIGRATIONS, AccessLog } from './access-log';

describe('the access log', () => {
  const db = suiteDatabase();
  const auditor = { role: 'auditor' as const, name: 'auditor#2' };
  const master = randomBytes(32);

  it('keeps every read, in order, and refuses to change, delete or empty an entry', async () => {
    const log = await AccessLog.open(db.pool, await Keyring.open(db.pool, master));
    const subjectId = '22222222-2222-4222-8222-222222222222';
    await Promise.all([
      log.record(auditor, subjectId, 'state', 'case 7'),
      log.record(auditor, subjectId, 'trail', null),
    ]);
    const before = await log.forSubject(subjectId);
    expect(before.map((a) => [a.principal, a.resource, a.reason])).toEqual([
      ['auditor#2', 'state', 'case 7'],
      ['auditor#2', 'trail', null],
    ]);

    await expect(db.pool.query(`UPDATE ledger_access_log SET principal = 'nobody'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM ledger_access_log')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('TRUNCATE ledger_access_log')).rejects.toThrow(/append-only/);
    expect(await log.forSubject(subjectId)).toEqual(before);
  });

  it("seals the reason with the person's subject key: not in clear, unreadable once the person is erased", async () => {
    const keyring = await Keyring.open(db.pool, master);
    const log = await AccessLog.open(db.pool, keyring);
    const subjectId = '33333333-3333-4333-8333-333333333333';
    const reason = 'Klage fra Ola Nordmann, sak 2026-118';
    await log.record(auditor, subjectId, 'state', reason);
    const { rows } = await db.pool.query<{ reason: string }>(
      'SELECT reason FROM ledger_access_log WHERE subject_id = $1',
      [subjectId],
    );
    expect(rows[0]!.reason).toMatch(/^enc:v3:/);
    expect(rows[0]!.reason).not.toContain('Nordmann');
    expect((await log.forSubject(subjectId))[0]!.reason).toBe(reason);

    // The erasure destroys the person's keys; the entry stays, its reason does not.
    await keyring.destroyLiveKeys([{ subjectId, categories: null, madeBy: new Date().toISOString() }]);
    await log.record(auditor, subjectId, 'state', 'after the erasure');
    const after = await log.forSubject(subjectId);
    expect(after.map((a) => [a.resource, a.reason])).toEqual([
      ['state', null],
      ['state', null],
    ]);
    const fresh = await (await Keyring.open(db.pool, master)).readableKeys(subjectId);
    expect(openValue(subjectId, rows[0]!.reason, fresh, 'access-reason')).toBeNull();
    const { rows: stored } = await db.pool.query<{ reason: string | null }>(
      'SELECT reason FROM ledger_access_log WHERE subject_id = $1 ORDER BY id',
      [subjectId],
    );
    expect(stored.map((r) => r.reason)).toEqual([rows[0]!.reason, null]); // no new key for an erased person
    const { rows: keys } = await db.pool.query(
      'SELECT 1 FROM ledger_data_keys WHERE subject_id = $1 AND destroyed_at IS NULL',
      [subjectId],
    );
    expect(keys).toHaveLength(0);
  });

  it('drops the reasons written in clear before they were sealed, and keeps their entries', async () => {
    const own = await createTestDatabase();
    const pool = createPool(own.url);
    try {
      // The log as it was before reasons were sealed, holding a reason in clear.
      await migrate(
        pool,
        'access-log',
        ACCESS_LOG_MIGRATIONS.filter((m) => m.version <= 2),
      );
      await pool.query(
        `INSERT INTO ledger_access_log (principal, role, subject_id, resource, reason)
         VALUES ('auditor#1', 'auditor', $1, 'state', 'Kari Nordmann ringte')`,
        ['44444444-4444-4444-8444-444444444444'],
      );
      const log = await AccessLog.open(pool, await Keyring.open(pool, randomBytes(32)));
      expect(
        (await log.forSubject('44444444-4444-4444-8444-444444444444')).map((a) => [a.principal, a.reason]),
      ).toEqual([['auditor#1', null]]);
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM ledger_access_log WHERE reason LIKE '%Nordmann%'`,
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await pool.end();
      await own.drop();
    }
  });
});
