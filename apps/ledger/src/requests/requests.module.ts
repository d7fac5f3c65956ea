import { Module } from '@nestjs/common';
import type { Pool } from '#ledger/postgres';
import { RequestRegisterReader } from '#ledger/projections';
import { StoreModule } from '../modules/store.module';
import { POOL } from '../modules/tokens';
import { OverdueRequests } from './overdue-requests';
import { RequestsController } from './requests.controller';
import { ListRequestsHandler } from './requests.handlers';

/** The DPO's request register (CONTRACT §8): its reads, and the overdue gauge kept current. */
@Module({
  imports: [StoreModule],
  controllers: [RequestsController],
  providers: [
    { provide: RequestRegisterReader, inject: [POOL], useFactory: (pool: Pool) => new RequestRegisterReader(pool) },
    ListRequestsHandler,
    OverdueRequests,
  ],
})
export class RequestsModule {}
