import { Query } from '@nestjs/cqrs';
import type { CheckCount } from '#ledger/projections';

export interface ComplianceCheckResult extends CheckCount {
  readonly status: 'pass' | 'fail';
}

/** The compliance checks and the refusals by code (CONTRACT §9), as of a moment. */
export interface ComplianceReport {
  readonly asOf: string;
  readonly checks: readonly ComplianceCheckResult[];
  readonly refusals: Readonly<Record<string, number>>;
}

export class GetComplianceQuery extends Query<ComplianceReport> {
  constructor(readonly asOf: string) {
    super();
  }
}
