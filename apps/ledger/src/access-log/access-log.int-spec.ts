import { createPool, type Pool } from '#ledger/postgres';
import { createTestDatabase } from '../../../../test/support/test-database';
import { AccessLog } from './access-log';

describe('the access log', () => {
  let drop: () => Promise<void>;
  let pool: Pool;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    pool = createPool(db.url);
  });
  afterAll(async () => {
    await pool.end();
    await drop();
  });

  it('keeps every read, in order, and refuses to change, delete or empty an entry', async () => {
    const log = await AccessLog.open(pool);
    const subjectId = '22222222-2222-4222-8222-222222222222';
    const auditor = { role: 'auditor' as const, name: 'auditor#2' };
    await Promise.all([log.record(auditor, subjectId, 'state', 'case 7'), log.record(auditor, subjectId, 'trail', null)]);
    const before = await log.forSubject(subjectId);
    expect(before.map((a) => [a.principal, a.resource, a.reason])).toEqual([
      ['auditor#2', 'state', 'case 7'],
      ['auditor#2', 'trail', null],
    ]);

    await expect(pool.query(`UPDATE ledger_access_log SET principal = 'nobody'`)).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM ledger_access_log')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE ledger_access_log')).rejects.toThrow(/append-only/);
    expect(await log.forSubject(subjectId)).toEqual(before);
  });
});
