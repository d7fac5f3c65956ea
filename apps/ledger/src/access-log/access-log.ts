import { migrate, type Pool } from '#ledger/postgres';
import type { Principal } from '../config/secrets';

export interface AccessRecord {
  readonly at: string;
  readonly principal: string;
  readonly role: string;
  readonly resource: string;
  readonly reason: string | null;
}

/**
 * Who looked at whose data, when and why. Written before the data is returned: a read whose log
 * entry cannot be written is not served.
 */
export class AccessLog {
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
    ]);
    return new AccessLog(pool);
  }

  async record(principal: Principal, subjectId: string, resource: string, reason: string | null): Promise<void> {
    await this.pool.query('INSERT INTO ledger_access_log (principal, role, subject_id, resource, reason) VALUES ($1, $2, $3, $4, $5)', [
      principal.name,
      principal.role,
      subjectId,
      resource,
      reason,
    ]);
  }

  async forSubject(subjectId: string): Promise<AccessRecord[]> {
    const { rows } = await this.pool.query<AccessRecord & { at: Date }>(
      'SELECT at, principal, role, resource, reason FROM ledger_access_log WHERE subject_id = $1 ORDER BY id',
      [subjectId],
    );
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}
