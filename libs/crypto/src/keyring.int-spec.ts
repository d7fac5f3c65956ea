import { randomBytes } from 'node:crypto';
import { createPool } from '#ledger/postgres';
import { createTestDatabase, suiteDatabase } from '../../../test/support/test-database';
import { Keyring } from './keyring';
import { openValue, sealValue } from './personal-cipher';

describe('the keyring', () => {
  const suite = suiteDatabase();

  it('re-wraps every key under a new master key: values stay readable, the old key no longer opens the store', async () => {
    const oldMaster = randomBytes(32);
    const newMaster = randomBytes(32);
    const keyring = await Keyring.open(suite.pool, oldMaster);
    const subjectId = '11111111-1111-4111-8111-111111111111';
    const key = keyring.newKey(subjectId, 'contact');
    await keyring.persist([key]);
    const sealed = sealValue(subjectId, key, 'ola@example.no');
    const blindIndex = keyring.mac('ref', 'webcruiter:candidate:1');

    expect(await Keyring.rewrap(suite.pool, oldMaster, newMaster)).toBe(2); // the data key and the index key
    const reopened = await Keyring.open(suite.pool, newMaster);
    expect(openValue(subjectId, sealed, await reopened.readableKeys(subjectId))).toBe('ola@example.no');
    expect(reopened.mac('ref', 'webcruiter:candidate:1')).toBe(blindIndex);
    await expect(Keyring.open(suite.pool, oldMaster)).rejects.toThrow(/does not match/);
    expect(await Keyring.rewrap(suite.pool, oldMaster, newMaster)).toBe(0); // resumable: nothing left
  });

  it('destroys keys for good, and keeps the proof that they existed', async () => {
    const master = randomBytes(32);
    const db = await createTestDatabase();
    const own = createPool(db.url);
    try {
      const keyring = await Keyring.open(own, master);
      const subjectId = '22222222-2222-4222-8222-222222222222';
      const [contact, work] = [keyring.newKey(subjectId, 'contact'), keyring.newKey(subjectId, 'work')];
      await keyring.persist([contact, work]);
      const sealed = sealValue(subjectId, contact, 'gone@example.no');
      await keyring.destroyKeys([contact.keyId]);
      await keyring.destroyKeys([contact.keyId]); // idempotent
      const left = await keyring.readableKeys(subjectId);
      expect(openValue(subjectId, sealed, left)).toBeNull();
      expect([...left.active.keys()]).toEqual(['work']);
      expect(await keyring.destroyedKeys(subjectId)).toEqual([expect.objectContaining({ keyId: contact.keyId, category: 'contact' })]);
      const { rows } = await own.query('SELECT wrapped FROM ledger_data_keys WHERE key_id = $1', [contact.keyId]);
      expect(rows[0].wrapped).toBeNull();
    } finally {
      await own.end();
      await db.drop();
    }
  });
});
