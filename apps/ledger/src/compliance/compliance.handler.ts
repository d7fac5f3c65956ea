import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { downstreamSystems, type Policy } from '#ledger/domain';
import { ComplianceReader } from '#ledger/projections';
import { POLICY } from '../modules/tokens';
import { GetComplianceQuery, type ComplianceReport } from './compliance.queries';
import { RefusalCounts } from './refusal-counts';

@QueryHandler(GetComplianceQuery)
export class GetComplianceHandler implements IQueryHandler<GetComplianceQuery, ComplianceReport> {
  constructor(
    @Inject(ComplianceReader) private readonly reader: ComplianceReader,
    @Inject(RefusalCounts) private readonly refusals: RefusalCounts,
    @Inject(POLICY) private readonly policy: Policy,
  ) {}

  async execute({ asOf }: GetComplianceQuery): Promise<ComplianceReport> {
    // Who must confirm an erasure is read from the policy in force, so editing it needs no replay.
    const counts = await this.reader.counts(asOf, downstreamSystems(this.policy));
    return {
      asOf,
      checks: counts.map(({ id, violations, examples }) => ({
        id,
        status: violations === 0 ? 'pass' : 'fail',
        violations,
        examples,
      })),
      refusals: await this.refusals.all(),
    };
  }
}
