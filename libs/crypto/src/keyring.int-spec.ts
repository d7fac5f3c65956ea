import { randomBytes } from 'node:crypto';
import { createPool, migrate, type Pool } from '#ledger/postgres';
import { createTestDatabase, suiteDatabase } from '../../../test/support/test-database';
import { KEYRING_MIGRATIONS, Keyring, kekIdOf } from './keyring';
import { openValue, sealValue } from './personal-cipher';
import { sealAesGcm } from './testing/legacy-aes-gcm';

/** A database of the test's own (the keyring's index key is one per database). */
async function withOwnDatabase(test: (pool: Pool) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  const own = createPool(db.url);
  try {
    await test(own);
  } finally {
    await own.end();
    await db.drop();
  }
}

describe('the keyring', () => {
  const suite = suiteDatabase();

  it('re-wraps every key under a new master key: values stay readable, the old key opens nothing more', async () => {
    const oldMaster = randomBytes(32);
    const newMaster = randomBytes(32);
    const keyring = await Keyring.open(suite.pool, oldMaster);
    const subjectId = '11111111-1111-4111-8111-111111111111';
    const key = keyring.newKey(subjectId, 'contact');
    await keyring.persist([key]);
    const sealed = sealValue(subjectId, key, 'ola@example.no', 'contact.email');
    const blindIndex = keyring.mac('ref', 'webcruiter:candidate:1');

    expect(await Keyring.rewrap(suite.pool, oldMaster, newMaster)).toBe(2); // the data key and the index key
    const reopened = await Keyring.open(suite.pool, newMaster);
    expect(openValue(subjectId, sealed, await reopened.readableKeys(subjectId), 'contact.email')).toBe(
      'ola@example.no',
    );
    expect(reopened.mac('ref', 'webcruiter:candidate:1')).toBe(blindIndex);
    await expect(Keyring.open(suite.pool, oldMaster)).rejects.toThrow(/does not match/);
    expect(await Keyring.rewrap(suite.pool, oldMaster, newMaster)).toBe(0); // resumable: nothing left
  });

  it('wraps with XChaCha20-Poly1305; opens keys wrapped with AES-256-GCM, re-wraps them in the new form', async () => {
    const oldMaster = randomBytes(32);
    const newMaster = randomBytes(32);
    await withOwnDatabase(async (own) => {
      const keyring = await Keyring.open(own, oldMaster);
      const subjectId = '33333333-3333-4333-8333-333333333333';
      const fresh = keyring.newKey(subjectId, 'contact');
      await keyring.persist([fresh]);
      // A key as the ledger wrapped it in the earlier form: 60 bytes, iv | tag | ciphertext, no version byte.
      const legacy = { keyId: '44444444-4444-4444-8444-444444444444', key: randomBytes(32) };
      await own.query(
        `INSERT INTO ledger_data_keys (key_id, subject_id, category, wrapped, kek_id, created_at)
         VALUES ($1, $2, 'work', $3, $4, now() - interval '1 day')`,
        [
          legacy.keyId,
          subjectId,
          sealAesGcm(oldMaster, legacy.key, `${subjectId}/work/${legacy.keyId}`),
          kekIdOf(oldMaster),
        ],
      );
      const wrapped = async () =>
        new Map(
          (await own.query('SELECT key_id, wrapped FROM ledger_data_keys WHERE subject_id = $1', [subjectId])).rows.map(
            (r) => [r.key_id, r.wrapped as Buffer],
          ),
        );
      const before = await wrapped();
      expect(before.get(fresh.keyId)).toHaveLength(1 + 24 + 32 + 16);
      expect(before.get(fresh.keyId)![0]).toBe(0x02);
      expect(before.get(legacy.keyId)).toHaveLength(60);

      const keys = await (await Keyring.open(own, oldMaster)).readableKeys(subjectId);
      expect(keys.byKid.get(fresh.kid)!.equals(fresh.key)).toBe(true);
      expect([...keys.byKid.values()].some((k) => k.equals(legacy.key))).toBe(true);

      // The same master key as the new one (say, to bring old keys into the new form): only the
      // legacy key is re-wrapped, and the command ends.
      expect(await Keyring.rewrap(own, oldMaster, oldMaster)).toBe(1);
      expect((await wrapped()).get(legacy.keyId)).toHaveLength(73);
      expect(await Keyring.rewrap(own, oldMaster, oldMaster)).toBe(0);

      expect(await Keyring.rewrap(own, oldMaster, newMaster)).toBe(3); // both keys and the index key
      const after = await wrapped();
      expect([...after.values()].map((w) => [w.length, w[0]])).toEqual([
        [73, 0x02],
        [73, 0x02],
      ]);
      const rewrapped = await (await Keyring.open(own, newMaster)).readableKeys(subjectId);
      expect([...rewrapped.byKid.values()].some((k) => k.equals(legacy.key))).toBe(true);
    });
  });

  it('destroys keys for good, and keeps the proof that they existed', async () => {
    const master = randomBytes(32);
    await withOwnDatabase(async (own) => {
      const keyring = await Keyring.open(own, master);
      const subjectId = '22222222-2222-4222-8222-222222222222';
      const [contact, work] = [keyring.newKey(subjectId, 'contact'), keyring.newKey(subjectId, 'work')];
      await keyring.persist([contact, work]);
      const sealed = sealValue(subjectId, contact, 'gone@example.no', 'contact.email');
      await keyring.destroyKeys([contact.keyId]);
      await keyring.destroyKeys([contact.keyId]); // idempotent
      const left = await keyring.readableKeys(subjectId);
      expect(openValue(subjectId, sealed, left, 'contact.email')).toBeNull();
      expect([...left.active.keys()]).toEqual(['work']);
      expect(await keyring.destroyedKeys(subjectId)).toEqual([
        expect.objectContaining({ keyId: contact.keyId, category: 'contact' }),
      ]);
      const { rows } = await own.query('SELECT wrapped FROM ledger_data_keys WHERE key_id = $1', [contact.keyId]);
      expect(rows[0].wrapped).toBeNull();
    });
  });

  it('names a key by random digits of its id: the last 12 of its UUIDv7, the first 12 of an older v4', async () => {
    await withOwnDatabase(async (own) => {
      const keyring = await Keyring.open(own, randomBytes(32));
      const subjectId = '66666666-6666-4666-8666-666666666666';
      // Made in the same millisecond, for one person: the kids still differ.
      const made = Array.from({ length: 50 }, (_, i) => keyring.newKey(subjectId, `c${i}`));
      expect(made.filter((k) => k.keyId[14] !== '7' || k.kid !== k.keyId.slice(24))).toEqual([]);
      expect(new Set(made.map((k) => k.kid)).size).toBe(50);
      const older = { ...keyring.newKey(subjectId, 'work'), keyId: '55555555-5555-4555-8555-555555555555' };
      const fresh = made[0]!;
      await keyring.persist([fresh, older]);
      const keys = await keyring.readableKeys(subjectId);
      expect(keys.byKid.get('555555555555')!.equals(older.key)).toBe(true);
      expect(keys.byKid.get(fresh.kid)!.equals(fresh.key)).toBe(true);

      // An erasure keeps the keys it is told to keep by kid, of either form, and destroys the rest.
      const madeBy = new Date(Date.now() + 60_000).toISOString();
      const erasure = (keepKids: string[]) => [{ subjectId, categories: null, keepKids, madeBy }];
      expect(await keyring.destroyLiveKeys(erasure([fresh.kid, '555555555555']))).toEqual([]);
      expect(await keyring.destroyLiveKeys(erasure([fresh.kid]))).toEqual([older.keyId]);
      expect(await keyring.destroyLiveKeys(erasure(['555555555555']))).toEqual([fresh.keyId]);
    });
  });

  it('migrates two live keys of one person and category: the older is retired, both still open', async () => {
    const master = randomBytes(32);
    await withOwnDatabase(async (own) => {
      // The store as two writers with stale caches left it, before the unique index.
      await migrate(
        own,
        'keyring',
        KEYRING_MIGRATIONS.filter((m) => m.version === 1),
      );
      const subjectId = '55555555-5555-4555-8555-555555555555';
      const dup = (keyId: string, age: string) => ({ keyId, key: randomBytes(32), age });
      const [older, newer] = [
        dup('66666666-6666-4666-8666-666666666666', '2 minutes'),
        dup('77777777-7777-4777-8777-777777777777', '1 minute'),
      ];
      for (const k of [older, newer]) {
        const wrapped = sealAesGcm(master, k.key, `${subjectId}/work/${k.keyId}`);
        await own.query(
          `INSERT INTO ledger_data_keys (key_id, subject_id, category, wrapped, kek_id, created_at)
           VALUES ($1, $2, 'work', $3, $4, now() - $5::interval)`,
          [k.keyId, subjectId, wrapped, kekIdOf(master), k.age],
        );
      }
      const keyring = await Keyring.open(own, master);
      const { rows } = await own.query(
        `SELECT key_id, retired_at IS NOT NULL AS retired FROM ledger_data_keys
         WHERE subject_id = $1 ORDER BY created_at`,
        [subjectId],
      );
      expect(rows).toEqual([
        { key_id: older.keyId, retired: true },
        { key_id: newer.keyId, retired: false },
      ]);
      const keys = await keyring.readableKeys(subjectId);
      expect(keys.byKid.size).toBe(2); // a retired key still opens what it sealed
      expect(keys.active.get('work')!.key.equals(newer.key)).toBe(true); // and never seals again
      const settled = await keyring.sealingKeys([{ subjectId, category: 'work' }]);
      expect(settled.keys.get(`${subjectId}/work`)!.keyId).toBe(newer.keyId);
      expect(settled.created).toEqual([]);
      // The index holds: no second live key for the slot.
      const extra = keyring.newKey(subjectId, 'work');
      await expect(keyring.persist([extra])).rejects.toThrow(/duplicate key|unique/);
    });
  });

  it('settles one key per person and category when many writers ask at once', async () => {
    const master = randomBytes(32);
    await withOwnDatabase(async (own) => {
      const keyrings = await Promise.all(
        Array.from({ length: 4 }, () => Keyring.open(own, master, { cacheTtlMs: 3_600_000 })),
      );
      const subjectId = '88888888-8888-4888-8888-888888888888';
      const settled = await Promise.all(
        keyrings.map((k) =>
          k.sealingKeys([
            { subjectId, category: 'work' },
            { subjectId, category: 'contact' },
          ]),
        ),
      );
      for (const category of ['work', 'contact']) {
        expect(new Set(settled.map((s) => s.keys.get(`${subjectId}/${category}`)!.keyId)).size).toBe(1);
      }
      expect(settled.flatMap((s) => s.created)).toHaveLength(2);
      const { rows } = await own.query(
        'SELECT category FROM ledger_data_keys WHERE subject_id = $1 ORDER BY category',
        [subjectId],
      );
      expect(rows.map((r) => r.category)).toEqual(['contact', 'work']);
    });
  });
});
