import { suiteDatabase } from '../../../../test/support/test-database';
import { AccessLog } from './access-log';

describe('the access log', () => {
  const db = suiteDatabase();

  it('keeps every read, in order, and refuses to change, delete or empty an entry', async () => {
    const log = await AccessLog.open(db.pool);
    const subjectId = '22222222-2222-4222-8222-222222222222';
    const auditor = { role: 'auditor' as const, name: 'auditor#2' };
    await Promise.all([log.record(auditor, subjectId, 'state', 'case 7'), log.record(auditor, subjectId, 'trail', null)]);
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
});
