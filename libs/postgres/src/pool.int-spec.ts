import { suiteDatabase } from '../../../test/support/test-database';
import { createPool } from './pool';

describe('the ledger pool', () => {
  const db = suiteDatabase();

  it('gives out connections that never JIT-compile, from their first statement on', async () => {
    const pool = createPool(db.url, { max: 2 });
    try {
      const first = await pool.connect();
      const second = await pool.connect();
      try {
        const settings = await Promise.all([first, second].map((c) => c.query<{ jit: string }>('SHOW jit')));
        expect(settings.map((r) => r.rows[0]!.jit)).toEqual(['off', 'off']);
      } finally {
        first.release();
        second.release();
      }
      expect((await pool.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
    } finally {
      await pool.end();
    }
  });
});
