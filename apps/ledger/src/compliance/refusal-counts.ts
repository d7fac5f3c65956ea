import { Logger } from '@nestjs/common';
import { migrate, safeErrorSummary, type Pool } from '#ledger/postgres';

export const REFUSAL_MIGRATIONS = [
  {
    version: 1,
    description: 'refused envelopes counted by code, with nothing of the envelope kept',
    sql: `CREATE TABLE IF NOT EXISTS ledger_refusals (
            code     text PRIMARY KEY,
            count    bigint NOT NULL,
            last_at  timestamptz NOT NULL
          );`,
  },
];

/** A code as the ledger writes its own (`CONSENT_REQUIRED`); anything else is counted as `OTHER`. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Every refused envelope counted by its code, so that the inspector sees the controls at work
 * (CONTRACT §9): an HTTP envelope refused by a rule (422) or a reused id (409), and every Kafka
 * dead letter. Only the code and a count are kept, in the database, so the counts outlive a
 * restart and add up across instances; never an id, a ref or a value of the envelope.
 */
export class RefusalCounts {
  private readonly logger = new Logger('compliance');

  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<RefusalCounts> {
    await migrate(pool, 'refusals', REFUSAL_MIGRATIONS);
    return new RefusalCounts(pool);
  }

  /** Adds one refusal of `code`. A count that cannot be written is logged, never the refusal's answer. */
  async count(code: string): Promise<void> {
    const counted = CODE.test(code) ? code : 'OTHER';
    try {
      await this.pool.query(
        `INSERT INTO ledger_refusals (code, count, last_at) VALUES ($1, 1, now())
         ON CONFLICT (code) DO UPDATE SET count = ledger_refusals.count + 1, last_at = now()`,
        [counted],
      );
    } catch (error) {
      this.logger.warn(`refusal ${counted} not counted: ${safeErrorSummary(error)}`);
    }
  }

  /** Every code refused so far, with its count, by code. */
  async all(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ code: string; count: string }>(
      'SELECT code, count FROM ledger_refusals ORDER BY code',
    );
    return Object.fromEntries(rows.map((r) => [r.code, Number(r.count)]));
  }
}
