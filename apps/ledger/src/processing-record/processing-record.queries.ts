import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Policy } from '#ledger/domain';
import { ProcessingActivityReader } from '#ledger/projections';
import { POLICY } from '../modules/tokens';
import { buildProcessingRecord, type ProcessingRecord } from './processing-record';
import type { RecordLanguage } from './processing-record.texts';

/** The SHA-256 of the policy file the service loaded, for the record's stamp. */
export const POLICY_SHA256 = Symbol('PolicySha256');

/** The Art. 30 record in one language, as of now. */
export class GetProcessingRecordQuery extends Query<ProcessingRecord> {
  constructor(
    readonly lang: RecordLanguage,
    readonly asOf: string,
  ) {
    super();
  }
}

@QueryHandler(GetProcessingRecordQuery)
export class GetProcessingRecordHandler implements IQueryHandler<GetProcessingRecordQuery, ProcessingRecord> {
  constructor(
    @Inject(POLICY) private readonly policy: Policy,
    @Inject(POLICY_SHA256) private readonly policySha256: string,
    @Inject(ProcessingActivityReader) private readonly observed: ProcessingActivityReader,
  ) {}

  async execute({ lang, asOf }: GetProcessingRecordQuery): Promise<ProcessingRecord> {
    return buildProcessingRecord(this.policy, this.policySha256, await this.observed.read(), lang, asOf);
  }
}
