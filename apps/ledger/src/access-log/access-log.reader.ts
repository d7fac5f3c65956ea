import { migrate, type Pool } from '#ledger/postgres';

/** One read of a person's data, as the access log across people shows it: no reason (sealed per person). */
export interface AccessLogEntry {
  readonly at: string;
  readonly name: string;
  readonly role: string;
  readonly subjectId: string;
  readonly resource: string;
}

export interface AccessLogFilter {
  readonly name?: string;
  readonly subjectId?: string;
  /** Inclusive bounds on `at`, ISO-8601. */
  readonly from?: string;
  readonly to?: string;
  /** Entries older than this cursor (a page's `next`). */
  readonly before?: string;
  readonly limit: number;
}

/**
 * The access log across people (CONTRACT §6), newest first, a page at a time: the DPO's view of
 * who read whose data. Reads the table AccessLog writes; the indexes it needs are its own.
 */
export class AccessLogReader {
  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<AccessLogReader> {
    await migrate(pool, 'access-log-reader', [
      {
        version: 1,
        description: 'indexes for the access log across people, by token name and by time',
        // Newest first is by id (the order entries were written), so each filter walks an index
        // in that order and stops at the page's end instead of sorting a token's whole history.
        sql: `CREATE INDEX IF NOT EXISTS ledger_access_log_principal ON ledger_access_log (principal, id);
              CREATE INDEX IF NOT EXISTS ledger_access_log_at ON ledger_access_log (at, id);`,
      },
    ]);
    return new AccessLogReader(pool);
  }

  async list(filter: AccessLogFilter): Promise<{ entries: AccessLogEntry[]; next: string | null }> {
    const values: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => where.push(sql.replace('?', `$${values.push(value)}`));
    if (filter.name !== undefined) add('principal = ?', filter.name);
    if (filter.subjectId !== undefined) add('subject_id = ?::uuid', filter.subjectId);
    if (filter.from !== undefined) add('at >= ?::timestamptz', filter.from);
    if (filter.to !== undefined) add('at <= ?::timestamptz', filter.to);
    if (filter.before !== undefined) add('id < ?::bigint', filter.before);
    const { rows } = await this.pool.query<{
      id: string;
      at: Date;
      principal: string;
      role: string;
      subject_id: string;
      resource: string;
    }>(
      `SELECT id, at, principal, role, subject_id, resource FROM ledger_access_log
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${values.push(filter.limit)}`,
      values,
    );
    return {
      entries: rows.map((r) => ({
        at: r.at.toISOString(),
        name: r.principal,
        role: r.role,
        subjectId: r.subject_id,
        resource: r.resource,
      })),
      next: rows.length === filter.limit ? rows[rows.length - 1].id : null,
    };
  }
}
