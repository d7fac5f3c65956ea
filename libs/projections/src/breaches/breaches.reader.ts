import type { Pool } from '#ledger/postgres';
import { notifiedWithin72h, type BreachRow } from './breach-log.projection';

export interface BreachEntry extends Omit<BreachRow, 'version'> {
  readonly notifiedWithin72h: boolean | null;
}

export interface AffectedSubject {
  readonly subjectId: string;
  readonly categories: string[];
}

/** Reads of the breach log and of the exposure index it is judged against. */
export class BreachesReader {
  constructor(private readonly pool: Pool) {}

  /** Every breach, latest discovered first, judged for the 72 hours as of `now`. */
  async list(now: string): Promise<BreachEntry[]> {
    const { rows } = await this.pool.query<{ breach_row: BreachRow }>(
      'SELECT breach_row FROM ledger_breach_log ORDER BY discovered_at DESC, breach_id',
    );
    return rows.map(({ breach_row: row }) => {
      const { version: _version, ...entry } = row;
      return { ...entry, notifiedWithin72h: notifiedWithin72h(row, now) };
    });
  }

  async find(breachId: string): Promise<BreachRow | null> {
    const { rows } = await this.pool.query<{ breach_row: BreachRow }>(
      'SELECT breach_row FROM ledger_breach_log WHERE breach_id = $1',
      [breachId],
    );
    return rows[0]?.breach_row ?? null;
  }

  /**
   * The persons a breach touched: data of its categories held from, or disclosed to, its systems
   * by the end of its period, and not erased before it began.
   */
  async affected(breach: BreachRow): Promise<AffectedSubject[]> {
    const { rows } = await this.pool.query<{ subject_id: string; categories: string[] }>(
      `SELECT subject_id, array_agg(DISTINCT category ORDER BY category) AS categories
       FROM ledger_breach_exposure
       WHERE system = ANY($1::text[]) AND category = ANY($2::text[]) AND first_at <= $4
         AND (erased_at IS NULL OR erased_at >= $3)
       GROUP BY subject_id ORDER BY subject_id`,
      [breach.systems, breach.categories, breach.periodFrom, breach.periodTo],
    );
    return rows.map((r) => ({ subjectId: r.subject_id, categories: r.categories }));
  }
}
