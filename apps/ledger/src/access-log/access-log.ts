import { ACCESS_REASON_PLACE, isSealed, openValue, sealValue, SUBJECT_CATEGORY, type Keyring } from '#ledger/crypto';
import { appendOnlySql, migrate, type Pool } from '#ledger/postgres';
import type { Principal } from '../config/secrets';

export interface AccessRecord {
  readonly at: string;
  readonly principal: string;
  readonly role: string;
  readonly resource: string;
  readonly reason: string | null;
}

interface Pending {
  readonly row: [string, string, string, string];
  /** Sealed while the entry waits its turn, so that entries keep the order of their reads. */
  readonly reason: Promise<string | null>;
  readonly done: (error?: unknown) => void;
}

export const ACCESS_LOG_MIGRATIONS = [
  {
    version: 1,
    description: 'access log of personal-data reads',
    sql: `CREATE TABLE ledger_access_log (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at         timestamptz NOT NULL DEFAULT now(),
            principal  text NOT NULL,
            role       text NOT NULL,
            subject_id uuid NOT NULL,
            resource   text NOT NULL,
            reason     text
          );
          CREATE INDEX ledger_access_log_subject ON ledger_access_log (subject_id, at);`,
  },
  {
    version: 2,
    description: 'the access log is append-only, as the events are',
    // Evidence of who read whose data: never changed or removed through the ledger's own role.
    sql: appendOnlySql('ledger_access_log'),
  },
  {
    version: 3,
    description: "reasons written in clear are dropped: reasons are sealed with the person's keys",
    // A reason kept in clear would outlive its person's erasure, and one of a person erased
    // already has no key left to be sealed with: the entries stay, without their reason.
    sql: `ALTER TABLE ledger_access_log DISABLE TRIGGER ledger_access_log_append_only;
          UPDATE ledger_access_log SET reason = NULL WHERE reason IS NOT NULL AND reason NOT LIKE 'enc:%';
          ALTER TABLE ledger_access_log ENABLE TRIGGER ledger_access_log_append_only;`,
  },
];

/**
 * Who looked at whose data, when and why. Written before the data is returned: a read whose log
 * entry cannot be written is not served. Concurrent reads share one INSERT (group commit), so the
 * log costs a read a fraction of a statement instead of a commit of its own. The reason may name
 * the person, so it is sealed with the person's `subject` key and goes with it at erasure.
 */
export class AccessLog {
  private queue: Pending[] = [];
  private flushing = false;

  private constructor(
    private readonly pool: Pool,
    private readonly keyring: Keyring,
  ) {}

  static async open(pool: Pool, keyring: Keyring): Promise<AccessLog> {
    await AccessLog.migrate(pool);
    return new AccessLog(pool, keyring);
  }

  static async migrate(pool: Pool): Promise<void> {
    await migrate(pool, 'access-log', ACCESS_LOG_MIGRATIONS);
  }

  record(principal: Principal, subjectId: string, resource: string, reason: string | null): Promise<void> {
    const sealed = reason === null ? Promise.resolve(null) : this.seal(subjectId, reason);
    sealed.catch(() => undefined); // reported through the entry's own promise, when its batch is written
    return new Promise((resolve, reject) => {
      this.queue.push({
        row: [principal.name, principal.role, subjectId, resource],
        reason: sealed,
        done: (e) => (e ? reject(e) : resolve()),
      });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * The reason sealed with the person's `subject` key, made if missing (as the writer makes it,
   * race-safe). A person erased has no such key any more and gets none again: the reason is not kept.
   */
  private async seal(subjectId: string, reason: string): Promise<string | null> {
    const live = (await this.keyring.liveKeys([subjectId]))
      .get(subjectId)!
      .find((k) => k.category === SUBJECT_CATEGORY && !k.retired);
    if (live) return sealValue(subjectId, live, reason, ACCESS_REASON_PLACE);
    if ((await this.keyring.destroyedKeys(subjectId)).some((k) => k.category === SUBJECT_CATEGORY)) return null;
    const { keys } = await this.keyring.sealingKeys([{ subjectId, category: SUBJECT_CATEGORY }]);
    return sealValue(subjectId, keys.get(`${subjectId}/${SUBJECT_CATEGORY}`)!, reason, ACCESS_REASON_PLACE);
  }

  /** Writes everything queued in one statement; entries queued meanwhile go in the next. */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const queued = this.queue.splice(0, 1000);
      const reasons = await Promise.allSettled(queued.map((p) => p.reason));
      const batch: Pending[] = [];
      const sealed: Array<string | null> = [];
      queued.forEach((p, i) => {
        const reason = reasons[i]!;
        // An entry whose reason could not be sealed is not written, and its read not served.
        if (reason.status === 'rejected') return p.done(reason.reason);
        batch.push(p);
        sealed.push(reason.value);
      });
      if (batch.length === 0) continue;
      const column = (i: number) => batch.map((p) => p.row[i]);
      try {
        await this.pool.query({
          name: 'ledger-access-log-insert',
          // Ids are drawn under a lock held to commit, so entries commit in id order: the verifiable
          // log takes them in id order and can never pass over one that commits later.
          text: `WITH lock AS (SELECT pg_advisory_xact_lock(hashtext('ledger-access-log:insert')))
                 INSERT INTO ledger_access_log (principal, role, subject_id, resource, reason)
                 SELECT u.* FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[])
                   AS u (principal, role, subject_id, resource, reason) CROSS JOIN lock`,
          values: [column(0), column(1), column(2), column(3), sealed],
        });
        batch.forEach((p) => p.done());
      } catch (error) {
        batch.forEach((p) => p.done(error));
      }
    }
    this.flushing = false;
  }

  async forSubject(subjectId: string): Promise<AccessRecord[]> {
    const { rows } = await this.pool.query<AccessRecord & { at: Date }>(
      'SELECT at, principal, role, resource, reason FROM ledger_access_log WHERE subject_id = $1 ORDER BY id',
      [subjectId],
    );
    // Opened for the DPO's read; null once the person's keys are destroyed.
    const keys = await this.keyring.readableKeys(subjectId);
    return rows.map((r) => ({
      ...r,
      at: r.at.toISOString(),
      reason: isSealed(r.reason) ? openValue(subjectId, r.reason, keys, ACCESS_REASON_PLACE) : r.reason,
    }));
  }
}
