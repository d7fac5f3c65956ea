import type { Pool } from '#ledger/postgres';
import type { RequestView } from '../subject-state/subject-state.view';
import type { RegisterRequestRow } from './request-register.projection';

export type RegisterStatus = 'open' | 'overdue' | 'answered';

export interface RegisterEntry extends RequestView {
  readonly subjectId: string;
}

/** Where a page of the register starts: just after this request, in the register's order. */
export interface RegisterCursor {
  readonly dueDate: string;
  readonly requestId: string;
  readonly subjectId: string;
}

export interface RegisterQuery {
  readonly status?: RegisterStatus;
  readonly kind?: string;
  /** At most this many requests; without it, every one. */
  readonly limit?: number;
  readonly after?: RegisterCursor;
}

export interface RegisterPage {
  readonly requests: RegisterEntry[];
  /** Where the next page starts, when a limit left requests out. */
  readonly next?: RegisterCursor;
}

/** Reads of the request register. `today` is the calendar date in Europe/Oslo the caller counts from. */
export class RequestRegisterReader {
  constructor(private readonly pool: Pool) {}

  /**
   * The requests of that status (all without one) and kind, by due date, then request id and
   * person: a range of one index, however many requests the register holds. Overdue: open after
   * its due date has ended, so due before `today`.
   */
  async list(today: string, query: RegisterQuery = {}): Promise<RegisterPage> {
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['due_date IS NOT NULL'];
    if (query.status === 'overdue') where.push(`status = 'open'`, `due_date < ${param(today)}::date`);
    else if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.kind !== undefined) where.push(`kind = ${param(query.kind)}`);
    if (query.after) {
      const { dueDate, requestId, subjectId } = query.after;
      const cursor = `${param(dueDate)}::date, ${param(requestId)}, ${param(subjectId)}::uuid`;
      where.push(`(due_date, request_id, subject_id) > (${cursor})`);
    }
    // One more than asked for tells whether a next page exists.
    const limit = query.limit === undefined ? '' : `LIMIT ${param(query.limit + 1)}`;
    const { rows } = await this.pool.query<{ register_row: RegisterRequestRow }>(
      `SELECT register_row FROM ledger_register_requests WHERE ${where.join(' AND ')}
       ORDER BY due_date, request_id, subject_id ${limit}`,
      params,
    );
    const requests = rows
      .slice(0, query.limit ?? rows.length)
      .map(({ register_row: row }) => ({ ...row.request!, subjectId: row.subjectId }));
    const last = requests[requests.length - 1];
    return query.limit !== undefined && rows.length > query.limit && last
      ? { requests, next: { dueDate: last.dueDate, requestId: last.requestId, subjectId: last.subjectId } }
      : { requests };
  }

  /** How many open requests are due before `today`: the overdue gauge. */
  async overdueCount(today: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ledger_register_requests
       WHERE due_date IS NOT NULL AND status = 'open' AND due_date < $1::date`,
      [today],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
