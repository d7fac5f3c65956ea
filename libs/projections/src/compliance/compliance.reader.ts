import {
  ACKNOWLEDGEMENT_DAYS,
  COMPLIANCE_CHECKS,
  osloDate,
  type ComplianceCheckId,
  type DownstreamSystems,
} from '#ledger/domain';
import type { Pool } from '#ledger/postgres';

/** One check's outcome: how many persons break it, and at most ten of them. */
export interface CheckCount {
  readonly id: ComplianceCheckId;
  readonly violations: number;
  readonly examples: readonly string[];
}

export const COMPLIANCE_EXAMPLES = 10;
const DAY_MS = 86_400_000;

/** An erasure (`e`) that a system the policy names has not confirmed: `missingAcknowledgements` in SQL. */
const UNCONFIRMED = `
  EXISTS (SELECT 1 FROM json_array_elements_text(e->'categories') AS c(category),
                        json_array_elements_text(COALESCE($2::json -> c.category, '[]'::json)) AS s(system)
          WHERE s.system NOT IN (SELECT json_array_elements_text(e->'acknowledgedBy')))
  OR EXISTS (SELECT 1 FROM json_array_elements_text(e->'disclosedTo') AS d(system)
             WHERE d.system = ANY($3::text[])
               AND d.system NOT IN (SELECT json_array_elements_text(e->'acknowledgedBy')))`;

/**
 * Each check's conditions on a row of `ledger_compliance`, the domain's `COMPLIANCE_VIOLATED` read
 * off the columns; `$1` is the moment asked about (for requests, its date in Oslo). A check of
 * several conditions is their union, each one a partial index's range: joined by OR, the planner
 * walks the whole table in the examples' order instead.
 */
const VIOLATING: { readonly [Id in ComplianceCheckId]: readonly string[] } = {
  'no-use-after-withdrawal': ['uses_after_withdrawal > 0'],
  'no-processing-while-restricted': ['processed_while_restricted > 0'],
  'requests-on-time': ['late_answers > 0', 'earliest_open_due < $1::date'],
  'retention-respected': [
    'retention_due_at < $1::timestamptz AND (holds_until IS NULL OR holds_until <= $1::timestamptz)',
  ],
  'erasures-acknowledged': [
    `first_erasure_at < $1::timestamptz AND EXISTS (
      SELECT 1 FROM json_array_elements(facts->'erasures') AS e
      WHERE (e->>'at')::timestamptz < $1::timestamptz AND (${UNCONFIRMED}))`,
  ],
};

/** The compliance checks counted over the read model as of a moment: one indexed query per check. */
export class ComplianceReader {
  constructor(private readonly pool: Pool) {}

  async counts(asOf: string, downstream: DownstreamSystems): Promise<CheckCount[]> {
    const cutoff = new Date(Date.parse(asOf) - ACKNOWLEDGEMENT_DAYS * DAY_MS).toISOString();
    const parameters: Record<ComplianceCheckId, unknown[]> = {
      'no-use-after-withdrawal': [],
      'no-processing-while-restricted': [],
      'requests-on-time': [osloDate(asOf)],
      'retention-respected': [asOf],
      'erasures-acknowledged': [cutoff, JSON.stringify(downstream.byCategory), downstream.recipients],
    };
    const counts: CheckCount[] = [];
    for (const id of COMPLIANCE_CHECKS) counts.push(await this.count(id, parameters[id]));
    return counts;
  }

  private async count(id: ComplianceCheckId, parameters: unknown[]): Promise<CheckCount> {
    // The total is counted over every violating row before the limit keeps the first examples.
    const violators = VIOLATING[id].map((c) => `SELECT subject_id FROM ledger_compliance WHERE ${c}`).join(' UNION ');
    const { rows } = await this.pool.query<{ subject_id: string; total: string }>(
      `SELECT subject_id, count(*) OVER () AS total FROM (${violators}) AS v
       ORDER BY subject_id LIMIT ${COMPLIANCE_EXAMPLES}`,
      parameters,
    );
    return { id, violations: Number(rows[0]?.total ?? 0), examples: rows.map((r) => r.subject_id) };
  }
}
