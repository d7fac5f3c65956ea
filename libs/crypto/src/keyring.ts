import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { BatchLoader, breathe, RecentCache, uuidv7 } from '#ledger/common';
import { copyInto, copyLine, migrate, type Pool } from '#ledger/postgres';
import { openAesGcm } from './aes-gcm';
import { randomBytesPooled } from './random-pool';
import { open, seal } from './xchacha';
import type { DataKey, SubjectKeys } from './personal-cipher';

/** The ledger's own keys (blind index, envelope fingerprints) live under this nil subject. */
const LEDGER_SUBJECT = '00000000-0000-0000-0000-000000000000';
const INDEX_CATEGORY = '$index';

export interface DestroyedKey {
  readonly keyId: string;
  readonly category: string;
  readonly createdAt: string;
  readonly destroyedAt: string;
}

/** A live data key of one subject. */
export interface LiveKey extends DataKey {
  readonly keyId: string;
  readonly category: string;
  /** A retired key still opens what it sealed, and never seals again. */
  readonly retired?: boolean;
}

/** The keys to seal with (the live key per category that is not retired) and to open with (every live key). */
export function toSubjectKeys(keys: readonly LiveKey[]): SubjectKeys {
  const active = new Map<string, DataKey>();
  const byKid = new Map<string, Buffer>();
  for (const k of keys) {
    if (!k.retired) active.set(k.category, k);
    byKid.set(k.kid, k.key);
  }
  return { active, byKid };
}

/** What one erasure destroys: see Keyring.destroyLiveKeys. */
export interface ErasedKeys {
  readonly subjectId: string;
  readonly categories: readonly string[] | null;
  readonly keepKids?: readonly string[];
  readonly madeBy: string;
}

/** A data key made here, with the subject it belongs to. */
export type NewKey = LiveKey & { readonly subjectId: string };

interface KeyRow {
  subject_id: string;
  category: string;
  key_id: string;
  wrapped: Buffer | null;
  kek_id: string;
}

/** A master key's public fingerprint: which master key wrapped a data key, without revealing it. */
export const kekIdOf = (masterKey: Buffer) => createHash('sha256').update(masterKey).digest('hex').slice(0, 16);
/**
 * A key's short id in every value it seals: 12 random hex digits of its id. A data key's id is a
 * UUIDv7, so that the keys' primary key grows at its end; its random digits are its last 12. A
 * key made as a version 4 UUID keeps its first 12 as its kid, in the values it sealed.
 */
const kidOf = (keyId: string) => (keyId[14] === '7' ? keyId.slice(24) : keyId.slice(0, 8) + keyId.slice(9, 13));
/** `kidOf` in SQL, of a uuid column. */
const kidSql = (column: string) =>
  `CASE WHEN substr(${column}::text, 15, 1) = '7' THEN right(${column}::text, 12)
        ELSE left(replace(${column}::text, '-', ''), 12) END`;
const aadOf = (row: Pick<KeyRow, 'subject_id' | 'category' | 'key_id'>) =>
  row.category === INDEX_CATEGORY
    ? `${row.subject_id}/${row.category}`
    : `${row.subject_id}/${row.category}/${row.key_id}`;

/**
 * A wrapped data key: `0x02 | nonce | ciphertext | tag` (XChaCha20-Poly1305 under the master key).
 * Keys wrapped in the earlier form are 60 bytes with no version byte (AES-256-GCM: iv | tag |
 * ciphertext); they stay readable, and `keys rewrap` writes them in the new form.
 */
const WRAP_V2 = 0x02;
const WRAP_V2_PREFIX = Buffer.of(WRAP_V2);
const LEGACY_WRAPPED_BYTES = 12 + 16 + 32;

const wrapKey = (masterKey: Buffer, key: Buffer, aad: string): Buffer =>
  Buffer.concat([WRAP_V2_PREFIX, seal(masterKey, key, aad)]);

function unwrapKey(masterKey: Buffer, wrapped: Buffer, aad: string): Buffer {
  if (wrapped.length === LEGACY_WRAPPED_BYTES) return openAesGcm(masterKey, wrapped, aad);
  if (wrapped[0] !== WRAP_V2) throw new Error(`a wrapped key of ${wrapped.length} bytes in no known form`);
  return open(masterKey, wrapped.subarray(1), aad);
}

export const KEYRING_MIGRATIONS = [
  {
    version: 1,
    description: 'data keys per subject and category, wrapped by the master key',
    sql: `
      CREATE TABLE ledger_data_keys (
        key_id       uuid PRIMARY KEY,
        subject_id   uuid NOT NULL,
        category     text NOT NULL,
        wrapped      bytea,          -- NULL once destroyed: crypto-shredding
        kek_id       text NOT NULL,  -- fingerprint of the master key that wrapped it
        created_at   timestamptz NOT NULL DEFAULT now(),
        destroyed_at timestamptz,
        CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
      );
      CREATE INDEX ledger_data_keys_subject ON ledger_data_keys (subject_id);
      CREATE UNIQUE INDEX ledger_data_keys_index_key ON ledger_data_keys (category)
        WHERE category = '$index' AND destroyed_at IS NULL;`,
  },
  {
    version: 2,
    description: 'at most one live key per subject and category: older duplicates retired',
    // Writers with stale caches could each make a key for one person and category. The older ones
    // are retired, not destroyed: they still open what they sealed, never seal again, and an
    // erasure destroys them with the rest.
    sql: `
      ALTER TABLE ledger_data_keys ADD COLUMN retired_at timestamptz;
      UPDATE ledger_data_keys k SET retired_at = now()
       WHERE k.destroyed_at IS NULL AND EXISTS (
         SELECT 1 FROM ledger_data_keys n
          WHERE n.subject_id = k.subject_id AND n.category = k.category AND n.destroyed_at IS NULL
            AND (n.created_at, n.key_id) > (k.created_at, k.key_id));
      CREATE UNIQUE INDEX ledger_data_keys_live ON ledger_data_keys (subject_id, category)
       WHERE destroyed_at IS NULL AND retired_at IS NULL;`,
  },
];

/**
 * Data keys (256-bit, for XChaCha20-Poly1305), one per person and category, each wrapped by the
 * master key and kept in PostgreSQL. Erasure destroys keys (the wrapped bytes are deleted; the row
 * stays as proof), so every copy of the values they sealed, in the event store, the read models or
 * a backup, becomes unreadable at once.
 */
export class Keyring {
  private readonly cache: RecentCache<string, LiveKey[]>;
  private readonly kekId: string;
  // Concurrent reads of single subjects' keys share one statement.
  private readonly readable = new BatchLoader<string, LiveKey[]>((subjectIds) => this.liveKeys(subjectIds));

  private constructor(
    private readonly pool: Pool,
    private readonly masterKey: Buffer,
    /** The ledger's index key: blind indexes of refs, fingerprints of envelopes. Survives re-wraps. */
    readonly indexKey: Buffer,
    cacheTtlMs: number,
  ) {
    this.kekId = kekIdOf(masterKey);
    // A bounded number of subjects, and none older than the time to live: a subject's keys are
    // used in a burst (its batch, the projection of it), and keys kept past their time to live
    // were memory held for nothing, and key material held after an erasure in another instance.
    this.cache = new RecentCache(100_000, { maxAgeMs: cacheTtlMs });
  }

  static async open(pool: Pool, masterKey: Buffer, options: { cacheTtlMs?: number } = {}): Promise<Keyring> {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    await migrate(pool, 'keyring', KEYRING_MIGRATIONS);
    const kekId = kekIdOf(masterKey);
    const candidate = randomBytes(32);
    await pool.query(
      `INSERT INTO ledger_data_keys (key_id, subject_id, category, wrapped, kek_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [
        randomUUID(),
        LEDGER_SUBJECT,
        INDEX_CATEGORY,
        wrapKey(masterKey, candidate, `${LEDGER_SUBJECT}/${INDEX_CATEGORY}`),
        kekId,
      ],
    );
    const { rows } = await pool.query<KeyRow>(
      'SELECT * FROM ledger_data_keys WHERE subject_id = $1 AND category = $2 AND destroyed_at IS NULL',
      [LEDGER_SUBJECT, INDEX_CATEGORY],
    );
    const row = rows[0]!;
    if (row.kek_id !== kekId) {
      throw new Error(
        `the master key does not match the key store (wrapped under ${row.kek_id}, given ${kekId}); re-wrap first`,
      );
    }
    const indexKey = unwrapKey(masterKey, row.wrapped!, `${LEDGER_SUBJECT}/${INDEX_CATEGORY}`);
    return new Keyring(pool, masterKey, indexKey, options.cacheTtlMs ?? 60_000);
  }

  /** A keyed hash (HMAC-SHA256) under the index key, for blind indexes and fingerprints. */
  mac(purpose: string, text: string): string {
    return createHmac('sha256', this.indexKey).update(purpose).update('\0').update(text).digest('base64url');
  }

  /** Every live key of these subjects (cached for a short while, unless `fresh`). */
  async liveKeys(
    subjectIds: Iterable<string>,
    { fresh = false }: { fresh?: boolean } = {},
  ): Promise<Map<string, LiveKey[]>> {
    const result = new Map<string, LiveKey[]>();
    const load: string[] = [];
    for (const subjectId of new Set(subjectIds)) {
      const cached = fresh ? undefined : this.cache.get(subjectId);
      if (cached) result.set(subjectId, cached);
      else load.push(subjectId);
    }
    if (load.length === 0) return result;
    const { rows } = await this.pool.query<KeyRow & { created_at: Date; retired: boolean }>(
      `SELECT subject_id, category, key_id, wrapped, kek_id, created_at, retired_at IS NOT NULL AS retired
       FROM ledger_data_keys
       WHERE subject_id = ANY($1::uuid[]) AND destroyed_at IS NULL ORDER BY created_at, key_id`,
      [load],
    );
    for (const subjectId of load) result.set(subjectId, []);
    for (const row of rows) {
      const key = unwrapKey(this.masterKey, row.wrapped!, aadOf(row));
      const live: LiveKey = { keyId: row.key_id, kid: kidOf(row.key_id), category: row.category, key };
      result.get(row.subject_id)!.push(row.retired ? { ...live, retired: true } : live);
    }
    for (const subjectId of load) this.cache.set(subjectId, result.get(subjectId)!);
    return result;
  }

  /** A subject's keys for an authorised read: every live key by kid. */
  async readableKeys(subjectId: string): Promise<SubjectKeys> {
    return toSubjectKeys((await this.readable.load(subjectId)) ?? []);
  }

  /** A fresh data key, not yet stored. */
  newKey(subjectId: string, category: string): NewKey {
    const keyId = uuidv7();
    return { subjectId, keyId, kid: kidOf(keyId), category, key: randomBytesPooled(32) };
  }

  /**
   * Stores keys as they are, all or none; the unique index refuses a second live key of a subject
   * and category. For tools and tests that place keys; the writer settles its keys with
   * `sealingKeys`, which takes the winner's key when instances race.
   */
  async persist(keys: readonly NewKey[]): Promise<void> {
    if (keys.length === 0) return;
    const wrapped = await this.wrapAll(keys);
    const lines = keys.map((k, i) => copyLine([k.keyId, k.subjectId, k.category, wrapped[i]!, this.kekId]));
    const client = await this.pool.connect();
    try {
      await copyInto(client, 'ledger_data_keys', 'key_id, subject_id, category, wrapped, kek_id', lines);
      client.release();
    } catch (error) {
      client.release(true); // a connection left inside a failed COPY is not given back
      throw error;
    }
    for (const subjectId of new Set(keys.map((k) => k.subjectId))) this.cache.delete(subjectId);
  }

  private async wrapAll(keys: readonly NewKey[]): Promise<Buffer[]> {
    const wrapped: Buffer[] = [];
    for (const k of keys) {
      // Thousands of wraps for a batch of new persons: let the event loop serve reads meanwhile.
      await breathe();
      wrapped.push(wrapKey(this.masterKey, k.key, `${k.subjectId}/${k.category}/${k.keyId}`));
    }
    return wrapped;
  }

  /**
   * The sealing key of each subject and category asked for, made where there is none: a new key
   * is inserted only if no live one exists (the unique index settles a race between writers), and
   * the loser reads and uses the winner's. Keys are settled before anything is sealed with them.
   * `retire` first takes keys out of sealing (an erasure earlier in the same batch retired them).
   * `minted` subjects were created by this instance just now: their keys cannot race. Returns
   * the keys by `<subjectId>/<category>`, and those this call made.
   */
  async sealingKeys(
    wanted: ReadonlyArray<{ readonly subjectId: string; readonly category: string }>,
    { retire = [], minted = new Set() }: { retire?: readonly string[]; minted?: ReadonlySet<string> } = {},
  ): Promise<{ keys: Map<string, LiveKey>; created: NewKey[] }> {
    if (retire.length > 0) {
      const { rows } = await this.pool.query<{ subject_id: string }>(
        `UPDATE ledger_data_keys SET retired_at = now()
         WHERE key_id = ANY($1::uuid[]) AND retired_at IS NULL AND destroyed_at IS NULL RETURNING subject_id`,
        [retire],
      );
      for (const row of rows) this.cache.delete(row.subject_id);
    }
    const slot = (subjectId: string, category: string) => `${subjectId}/${category}`;
    const keys = new Map<string, LiveKey>();
    const created: NewKey[] = [];
    let open = [...new Map(wanted.map((w) => [slot(w.subjectId, w.category), w])).values()];
    for (let round = 0; open.length > 0; round += 1) {
      if (round >= 5)
        throw new Error('no data key could be settled: keys are made and destroyed as fast as they are read');
      // A subject minted by this writer has no keys to read at first; but another writer that
      // resolved its ref a moment later may key it too, so its keys are inserted like any other's.
      const known = await this.liveKeys(
        open.filter((w) => round > 0 || !minted.has(w.subjectId)).map((w) => w.subjectId),
        { fresh: round > 0 },
      );
      const fresh: NewKey[] = [];
      for (const w of open) {
        const live = known.get(w.subjectId)?.find((k) => k.category === w.category && !k.retired);
        if (live) keys.set(slot(w.subjectId, w.category), live);
        else fresh.push(this.newKey(w.subjectId, w.category));
      }
      const inserted = await this.insertIfAbsent(fresh);
      for (const k of fresh) {
        if (!inserted.has(k.keyId)) continue;
        keys.set(slot(k.subjectId, k.category), k);
        created.push(k);
      }
      // The losers of a race: read the winners' keys afresh.
      open = fresh.filter((k) => !inserted.has(k.keyId)).map((k) => ({ subjectId: k.subjectId, category: k.category }));
    }
    return { keys, created };
  }

  /** Inserts the keys whose subject and category hold no live key; returns the ids inserted. */
  private async insertIfAbsent(keys: readonly NewKey[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const wrapped = await this.wrapAll(keys);
    const { rows } = await this.pool.query<{ key_id: string }>(
      `INSERT INTO ledger_data_keys (key_id, subject_id, category, wrapped, kek_id)
       SELECT id, s, c, w, $5 FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[]) AS t(id, s, c, w)
       ON CONFLICT DO NOTHING RETURNING key_id`,
      [keys.map((k) => k.keyId), keys.map((k) => k.subjectId), keys.map((k) => k.category), wrapped, this.kekId],
    );
    for (const subjectId of new Set(keys.map((k) => k.subjectId))) this.cache.delete(subjectId);
    return new Set(rows.map((r) => r.key_id));
  }

  /**
   * Every live key of an erased subject, read from the store (whichever instance made it), and
   * the store's time of the read: the erasure destroys the keys made up to then.
   */
  async keysAtErasure(subjectIds: readonly string[]): Promise<{ keys: Map<string, LiveKey[]>; asOf: string }> {
    const { rows } = await this.pool.query<{ as_of: Date }>('SELECT now() AS as_of');
    return { keys: await this.liveKeys(subjectIds, { fresh: true }), asOf: rows[0]!.as_of.toISOString() };
  }

  /**
   * Destroys every live key of each erased subject in its categories (every category with null),
   * whichever instance made it, except keys whose kid is in `keepKids` (they seal values recorded
   * after the erasure) and keys made after `madeBy` (a writer that saw the erasure made them for
   * later values). `madeBy` may be a writer's clock in milliseconds, so a key made within that
   * millisecond counts as made before: better one key too many destroyed than one left alive.
   * One statement for them all. Returns the ids destroyed.
   */
  async destroyLiveKeys(erasures: readonly ErasedKeys[]): Promise<string[]> {
    if (erasures.length === 0) return [];
    const targets = erasures.map((e) => ({
      subject_id: e.subjectId,
      categories: e.categories,
      keep: e.keepKids ?? [],
      made_by: e.madeBy,
    }));
    const { rows } = await this.pool.query<{ key_id: string; subject_id: string }>(
      `UPDATE ledger_data_keys k SET wrapped = NULL, destroyed_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS t(subject_id uuid, categories text[], keep text[], made_by timestamptz)
       WHERE k.subject_id = t.subject_id AND (t.categories IS NULL OR k.category = ANY(t.categories))
         AND k.destroyed_at IS NULL
         AND NOT (${kidSql('k.key_id')} = ANY(t.keep))
         AND date_trunc('milliseconds', k.created_at) <= t.made_by
       RETURNING k.key_id, k.subject_id`,
      [JSON.stringify(targets)],
    );
    for (const e of erasures) this.cache.delete(e.subjectId);
    return rows.map((r) => r.key_id);
  }

  /**
   * Deletes keys made for an append that then failed: they seal nothing. Only those whose kid
   * `stillNamed` (the kids the subject's stream names, read after the failure) lacks: another
   * writer may have lost the race for the same slot and sealed its own, successful append with
   * one of them. Destroyed keys stay, as proof.
   */
  async removeUnused(keys: readonly NewKey[], stillNamed: ReadonlySet<string>): Promise<string[]> {
    const unused = keys.filter((k) => !stillNamed.has(k.kid)).map((k) => k.keyId);
    if (unused.length === 0) return [];
    const { rows } = await this.pool.query<{ key_id: string }>(
      'DELETE FROM ledger_data_keys WHERE key_id = ANY($1::uuid[]) AND destroyed_at IS NULL RETURNING key_id',
      [unused],
    );
    for (const subjectId of new Set(keys.map((k) => k.subjectId))) this.cache.delete(subjectId);
    return rows.map((r) => r.key_id);
  }

  /** Destroys these keys: the wrapped bytes go, the row stays as proof. Idempotent. */
  async destroyKeys(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    const { rows } = await this.pool.query<{ subject_id: string }>(
      `UPDATE ledger_data_keys SET wrapped = NULL, destroyed_at = now()
       WHERE key_id = ANY($1::uuid[]) AND destroyed_at IS NULL RETURNING subject_id`,
      [keyIds],
    );
    for (const row of rows) this.cache.delete(row.subject_id);
  }

  async destroyedKeys(subjectId: string): Promise<DestroyedKey[]> {
    const { rows } = await this.pool.query<{ key_id: string; category: string; created_at: Date; destroyed_at: Date }>(
      `SELECT key_id, category, created_at, destroyed_at FROM ledger_data_keys
       WHERE subject_id = $1 AND destroyed_at IS NOT NULL ORDER BY destroyed_at, category`,
      [subjectId],
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      category: r.category,
      createdAt: r.created_at.toISOString(),
      destroyedAt: r.destroyed_at.toISOString(),
    }));
  }

  /** Forgets cached keys (another instance may have destroyed them). */
  evict(subjectId: string): void {
    this.cache.delete(subjectId);
  }

  /**
   * Re-wraps every live key under a new master key, in batches, each batch one transaction;
   * resumable (rows already under the new key are skipped). Given the current master key as the
   * new one, it re-wraps only the keys still in the earlier AES-256-GCM form, so it
   * ends. Returns how many keys it re-wrapped.
   */
  static async rewrap(
    pool: Pool,
    oldMaster: Buffer,
    newMaster: Buffer,
    onProgress?: (done: number) => void,
  ): Promise<number> {
    const oldKek = kekIdOf(oldMaster);
    const newKek = kekIdOf(newMaster);
    let done = 0;
    for (;;) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<KeyRow>(
          `SELECT * FROM ledger_data_keys
           WHERE kek_id = $1 AND destroyed_at IS NULL AND ($2 OR octet_length(wrapped) = $3)
           LIMIT 1000 FOR UPDATE SKIP LOCKED`,
          [oldKek, oldKek !== newKek, LEGACY_WRAPPED_BYTES],
        );
        if (rows.length === 0) {
          await client.query('COMMIT');
          return done;
        }
        const rewrapped = rows.map((r) => wrapKey(newMaster, unwrapKey(oldMaster, r.wrapped!, aadOf(r)), aadOf(r)));
        await client.query(
          `UPDATE ledger_data_keys k SET wrapped = t.w, kek_id = $3
           FROM unnest($1::uuid[], $2::bytea[]) AS t(id, w) WHERE k.key_id = t.id`,
          [rows.map((r) => r.key_id), rewrapped, newKek],
        );
        await client.query('COMMIT');
        done += rows.length;
        onProgress?.(done);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
  }

  // Dead-letter keys: ledger-owned, one per UTC day (category `$dlq/<date>` under the nil subject),
  // wrapped like every data key and destroyed after the dead-letter retention, so that a value a
  // dead letter carries outside the store is shredded on a schedule the ledger keeps.

  /** The current day's dead-letter key, by category; earlier days are not kept in memory. */
  private readonly deadLetterKeyOfDay = new Map<string, LiveKey>();

  /**
   * A sealer under the dead-letter key of `now`'s UTC day, made on first use (one for every
   * instance): `dlq:v1:<kid>:<base64url(nonce | ciphertext | tag)>`.
   */
  async deadLetterSealer(now = new Date()): Promise<(plain: Buffer) => string> {
    const category = `${DEAD_LETTER_CATEGORY}/${now.toISOString().slice(0, 10)}`;
    let key = this.deadLetterKeyOfDay.get(category);
    if (!key) {
      const row = await this.deadLetterKeyRow(category);
      key = {
        keyId: row.key_id,
        kid: kidOf(row.key_id),
        category,
        key: unwrapKey(this.masterKey, row.wrapped!, aadOf(row)),
      };
      this.deadLetterKeyOfDay.clear();
      this.deadLetterKeyOfDay.set(category, key);
    }
    const { kid, key: bytes } = key;
    return (plain) =>
      `${DEAD_LETTER_PREFIX}${kid}:${seal(bytes, plain, `${DEAD_LETTER_CATEGORY}/${kid}`).toString('base64url')}`;
  }

  /** The day's key row, made if there is none; instances making it at once take turns on a lock. */
  private async deadLetterKeyRow(category: string): Promise<KeyRow> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ledger-keys:${category}`]);
      const live = `SELECT * FROM ledger_data_keys WHERE subject_id = $1 AND category = $2 AND destroyed_at IS NULL
                    ORDER BY created_at, key_id LIMIT 1`;
      let { rows } = await client.query<KeyRow>(live, [LEDGER_SUBJECT, category]);
      if (rows.length === 0) {
        const made = this.newKey(LEDGER_SUBJECT, category);
        const aad = aadOf({ subject_id: LEDGER_SUBJECT, category, key_id: made.keyId });
        ({ rows } = await client.query<KeyRow>(
          `INSERT INTO ledger_data_keys (key_id, subject_id, category, wrapped, kek_id)
           VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [made.keyId, LEDGER_SUBJECT, category, wrapKey(this.masterKey, made.key, aad), this.kekId],
        ));
      }
      await client.query('COMMIT');
      return rows[0]!;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Opens what `deadLetterSealer` sealed, under every dead-letter key as it is now: null when the
   * value's key is destroyed (or unknown); throws when the value is not in the sealed form.
   */
  async deadLetterOpener(): Promise<(sealed: string) => Buffer | null> {
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT * FROM ledger_data_keys WHERE subject_id = $1 AND category LIKE '$dlq/%' AND destroyed_at IS NULL`,
      [LEDGER_SUBJECT],
    );
    const keys = new Map(rows.map((row) => [kidOf(row.key_id), unwrapKey(this.masterKey, row.wrapped!, aadOf(row))]));
    return (sealed) => {
      const colon = sealed.indexOf(':', DEAD_LETTER_PREFIX.length);
      if (!sealed.startsWith(DEAD_LETTER_PREFIX) || colon < 0) throw new Error('not a sealed dead-letter value');
      const kid = sealed.slice(DEAD_LETTER_PREFIX.length, colon);
      const key = keys.get(kid);
      return key
        ? open(key, Buffer.from(sealed.slice(colon + 1), 'base64url'), `${DEAD_LETTER_CATEGORY}/${kid}`)
        : null;
    };
  }

  /** Destroys the dead-letter keys made more than `retentionDays` ago; returns how many. */
  async expireDeadLetterKeys(retentionDays: number): Promise<number> {
    const { rows } = await this.pool.query<{ category: string }>(
      `UPDATE ledger_data_keys SET wrapped = NULL, destroyed_at = now()
       WHERE subject_id = $1 AND category LIKE '$dlq/%' AND destroyed_at IS NULL
         AND created_at < now() - make_interval(days => $2)
       RETURNING category`,
      [LEDGER_SUBJECT, retentionDays],
    );
    rows.forEach((r) => this.deadLetterKeyOfDay.delete(r.category));
    return rows.length;
  }
}

/** Dead-letter keys' categories are `$dlq/<UTC date>`; a value sealed under one starts with the prefix. */
const DEAD_LETTER_CATEGORY = '$dlq';
export const DEAD_LETTER_PREFIX = 'dlq:v1:';
