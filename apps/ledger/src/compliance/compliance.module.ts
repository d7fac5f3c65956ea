import { Global, Module } from '@nestjs/common';
import type { Pool } from '#ledger/postgres';
import { ComplianceReader } from '#ledger/projections';
import { StoreModule } from '../modules/store.module';
import { POOL } from '../modules/tokens';
import { ComplianceController } from './compliance.controller';
import { GetComplianceHandler } from './compliance.handler';
import { RefusalCounts } from './refusal-counts';

/**
 * The compliance checks (CONTRACT §9) and the refusal counts. Global, so that the two places that
 * refuse envelopes (the HTTP ingest and the Kafka consumer) count into the same table.
 */
@Global()
@Module({
  imports: [StoreModule],
  controllers: [ComplianceController],
  providers: [
    { provide: RefusalCounts, inject: [POOL], useFactory: (pool: Pool) => RefusalCounts.open(pool) },
    { provide: ComplianceReader, inject: [POOL], useFactory: (pool: Pool) => new ComplianceReader(pool) },
    GetComplianceHandler,
  ],
  exports: [RefusalCounts],
})
export class ComplianceModule {}
