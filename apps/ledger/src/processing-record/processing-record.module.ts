import { Module } from '@nestjs/common';
import type { Pool } from '#ledger/postgres';
import { ProcessingActivityReader } from '#ledger/projections';
import { policyFileSha256 } from '../config/policy-file';
import type { LedgerConfig } from '../config/ledger-config';
import { StoreModule } from '../modules/store.module';
import { LEDGER_CONFIG, POOL } from '../modules/tokens';
import { ProcessingRecordController } from './processing-record.controller';
import { GetProcessingRecordHandler, POLICY_SHA256 } from './processing-record.queries';

/** The record of processing activities (Art. 30): the policy in force, stamped, with what the events show. */
@Module({
  imports: [StoreModule],
  controllers: [ProcessingRecordController],
  providers: [
    {
      provide: ProcessingActivityReader,
      inject: [POOL],
      useFactory: (pool: Pool) => new ProcessingActivityReader(pool),
    },
    // Hashed once at start, beside the policy loaded then, so the stamp names the file in force.
    {
      provide: POLICY_SHA256,
      inject: [LEDGER_CONFIG],
      useFactory: (c: LedgerConfig) => policyFileSha256(c.LEDGER_POLICY),
    },
    GetProcessingRecordHandler,
  ],
})
export class ProcessingRecordModule {}
