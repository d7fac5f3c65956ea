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
  readonly row: [string, string, string, string, string | null];
  readonly done: (error?: unknown) => void;
}

/**
 * Who looked at whose data, when and why. Written before the data is returned: a read whose log
 * entry cannot be written is not served. Concurrent reads share one INSERT (group commit), so the
 * log costs a read a fraction of a statement instead of a commit of its own.
 */
export class AccessLog {
  private queue: Pending[] = [];
  private flushing = false;

  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<AccessLog> {
    await migrate(pool, 'access-log', [
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
    ]);
    return new AccessLog(pool);
  }

  record(principal: Principal, subjectId: string, resource: string, reason: string | null): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row: [principal.name, principal.role, subjectId, resource, reason], done: (e) => (e ? reject(e) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  /** Writes everything queued in one statement; entries queued meanwhile go in the next. */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 1000);
      const column = (i: number) => batch.map((p) => p.row[i]);
      try {
        await this.pool.query({
          name: 'ledger-access-log-insert',
          text: `INSERT INTO ledger_access_log (principal, role, subject_id, resource, reason)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[])`,
          values: [column(0), column(1), column(2), column(3), column(4)],
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
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}
