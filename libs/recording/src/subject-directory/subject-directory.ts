import { migrate, type Migration, type Pool } from '#ledger/postgres';

/**
 * The ref → subject index the writer resolves refs with: consistent (two first envelopes with the
 * same new ref land on one subject), and keyed by a blind index (HMAC of the ref), so the table
 * never holds a ref in clear. An erased subject's rows are deleted: its refs are forgotten, and
 * without the ref in clear nothing can rebuild them.
 */
export interface SubjectDirectory {
  /** The subjects of these refs; refs never seen are claimed for fresh ids from `newId`. */
  resolve(refs: readonly string[], newId: () => string): Promise<Map<string, string>>;
  lookup(ref: string): Promise<string | null>;
  /** Moves a ref from an erased subject to a new one (repairs a forget cut short by a crash). */
  reassign(ref: string, erasedSubjectId: string, newSubjectId: string): Promise<string>;
  forget(subjectId: string): Promise<void>;
}

export const SUBJECT_DIRECTORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'ref blind index → subject id',
    sql: `
      CREATE TABLE ledger_subject_refs (
        ref_key    text PRIMARY KEY,
        subject_id uuid NOT NULL,
        linked_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ledger_subject_refs_subject ON ledger_subject_refs (subject_id);`,
  },
];

export class PostgresSubjectDirectory implements SubjectDirectory {
  private constructor(
    private readonly pool: Pool,
    private readonly refKey: (ref: string) => string,
  ) {}

  static async open(pool: Pool, refKey: (ref: string) => string): Promise<PostgresSubjectDirectory> {
    await migrate(pool, 'subject-directory', SUBJECT_DIRECTORY_MIGRATIONS);
    return new PostgresSubjectDirectory(pool, refKey);
  }

  async resolve(refs: readonly string[], newId: () => string): Promise<Map<string, string>> {
    const byKey = new Map<string, string>();
    for (const ref of new Set(refs)) byKey.set(this.refKey(ref), ref);
    const found = new Map<string, string>();
    const keys = [...byKey.keys()];
    // A claim that loses to a concurrent one sees nothing in its own snapshot: look again.
    for (let attempt = 0; attempt < 5 && found.size < byKey.size; attempt += 1) {
      const missing = keys.filter((k) => !found.has(byKey.get(k)!));
      const known = await this.pool.query<{ ref_key: string; subject_id: string }>(
        'SELECT ref_key, subject_id FROM ledger_subject_refs WHERE ref_key = ANY($1::text[])',
        [missing],
      );
      for (const row of known.rows) found.set(byKey.get(row.ref_key)!, row.subject_id);
      const unclaimed = missing.filter((k) => !found.has(byKey.get(k)!));
      if (unclaimed.length === 0) break;
      const claimed = await this.pool.query<{ ref_key: string; subject_id: string }>(
        `INSERT INTO ledger_subject_refs (ref_key, subject_id)
         SELECT * FROM unnest($1::text[], $2::uuid[]) ON CONFLICT (ref_key) DO NOTHING
         RETURNING ref_key, subject_id`,
        [unclaimed, unclaimed.map(() => newId())],
      );
      for (const row of claimed.rows) found.set(byKey.get(row.ref_key)!, row.subject_id);
    }
    if (found.size < byKey.size) throw new Error('subject directory: could not resolve every ref');
    return found;
  }

  async lookup(ref: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ subject_id: string }>(
      'SELECT subject_id FROM ledger_subject_refs WHERE ref_key = $1',
      [this.refKey(ref)],
    );
    return rows[0]?.subject_id ?? null;
  }

  async reassign(ref: string, erasedSubjectId: string, newSubjectId: string): Promise<string> {
    const key = this.refKey(ref);
    await this.pool.query(
      'UPDATE ledger_subject_refs SET subject_id = $3, linked_at = now() WHERE ref_key = $1 AND subject_id = $2',
      [key, erasedSubjectId, newSubjectId],
    );
    return (await this.lookup(ref)) ?? (await this.resolve([ref], () => newSubjectId)).get(ref)!;
  }

  async forget(subjectId: string): Promise<void> {
    await this.pool.query('DELETE FROM ledger_subject_refs WHERE subject_id = $1', [subjectId]);
  }
}
