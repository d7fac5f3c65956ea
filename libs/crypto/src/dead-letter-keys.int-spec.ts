import { randomBytes } from 'node:crypto';
import { suiteDatabase } from '../../../test/support/test-database';
import { Keyring } from './keyring';

/** Dead-letter keys on a real PostgreSQL: one per day shared by instances, opened while alive, expired. */
describe('dead-letter keys', () => {
  const suite = suiteDatabase();
  const master = randomBytes(32);
  const liveKeys = async () =>
    (
      await suite.pool.query<{ category: string }>(
        `SELECT category FROM ledger_data_keys WHERE category LIKE '$dlq/%' AND destroyed_at IS NULL`,
      )
    ).rows.map((r) => r.category);

  it('seals under one key per UTC day, shared by two instances racing to make it; opens what each sealed', async () => {
    const [one, two] = [await Keyring.open(suite.pool, master), await Keyring.open(suite.pool, master)];
    const day = new Date('2026-12-01T23:59:00Z');
    const [sealOne, sealTwo] = await Promise.all([one.deadLetterSealer(day), two.deadLetterSealer(day)]);
    const a = sealOne(Buffer.from('ola@example.no'));
    const b = sealTwo(Buffer.from('kari@example.no'));
    expect(a).toMatch(/^dlq:v1:[0-9a-f]{12}:/);
    expect(a.split(':')[2]).toBe(b.split(':')[2]);
    expect(a).not.toContain('ola');
    expect(await liveKeys()).toEqual(['$dlq/2026-12-01']);
    await (
      await one.deadLetterSealer(new Date('2026-12-02T00:00:01Z'))
    )(Buffer.from('x'));
    expect((await liveKeys()).sort()).toEqual(['$dlq/2026-12-01', '$dlq/2026-12-02']);
    const open = await (await Keyring.open(suite.pool, master)).deadLetterOpener();
    expect(open(a)?.toString()).toBe('ola@example.no');
    expect(open(b)?.toString()).toBe('kari@example.no');
    expect(() => open('enc:v2:abc:def')).toThrow('not a sealed dead-letter value');
  });

  it('destroys only the keys older than the retention days, after which their values no longer open', async () => {
    const keyring = await Keyring.open(suite.pool, master);
    const sealed = (await keyring.deadLetterSealer(new Date('2026-12-03T10:00:00Z')))(Buffer.from('ola@example.no'));
    const fresh = (await keyring.deadLetterSealer(new Date('2026-12-04T10:00:00Z')))(Buffer.from('kari@example.no'));
    await suite.pool.query(
      `UPDATE ledger_data_keys SET created_at = now() - interval '31 days'
       WHERE category LIKE '$dlq/%' AND category <> '$dlq/2026-12-04'`,
    );
    expect(await keyring.expireDeadLetterKeys(30)).toBe(3);
    expect(await keyring.expireDeadLetterKeys(30)).toBe(0);
    expect(await liveKeys()).toEqual(['$dlq/2026-12-04']);
    const open = await keyring.deadLetterOpener();
    expect(open(sealed)).toBeNull();
    expect(open(fresh)?.toString()).toBe('kari@example.no');
  });
});
