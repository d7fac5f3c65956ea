import type { Pool } from '#ledger/postgres';
import type { RequestView } from '../subject-state/subject-state.view';
import type { RequestRegisterRow } from './request-register.projection';

export type RegisterStatus = 'open' | 'overdue' | 'answered';

export interface RegisterEntry extends RequestView {
  readonly subjectId: string;
}

/** Reads of the request register. `today` is the calendar date in Europe/Oslo the caller counts from. */
export class RequestRegisterReader {
  constructor(private readonly pool: Pool) {}

  /**
   * The requests of that status (all without one) and kind, by due date. Overdue: open after its
   * due date has ended, so due before `today`.
   */
  async list(today: string, status?: RegisterStatus, kind?: string): Promise<RegisterEntry[]> {
    const where =
      status === 'open'
        ? 'open_count > 0'
        : status === 'overdue'
          ? 'earliest_open_due < $1::date'
          : status === 'answered'
            ? 'answered_count > 0'
            : 'TRUE';
    const { rows } = await this.pool.query<{ register_row: RequestRegisterRow }>(
      `SELECT register_row FROM ledger_request_register WHERE ${where} AND $1::date IS NOT NULL`,
      [today],
    );
    const wanted = (r: RequestView): boolean =>
      (kind === undefined || r.kind === kind) &&
      (status === undefined || (status === 'overdue' ? r.status === 'open' && r.dueDate < today : r.status === status));
    return rows
      .flatMap(({ register_row: row }) => row.requests.filter(wanted).map((r) => ({ ...r, subjectId: row.subjectId })))
      .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.requestId < b.requestId ? -1 : 1));
  }

  /** How many open requests are due before `today`: the overdue gauge. */
  async overdueCount(today: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ledger_request_register t, unnest(t.open_due_dates) AS d
       WHERE t.earliest_open_due < $1::date AND d < $1::date`,
      [today],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
