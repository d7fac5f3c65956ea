import { Module } from '@nestjs/common';
import type { EventStore } from '#ledger/event-store';
import type { Pool } from '#ledger/postgres';
import { BreachesReader } from '#ledger/projections';
import { ProjectionsModule } from '../modules/projections.module';
import { StoreModule } from '../modules/store.module';
import { EVENT_STORE, POOL } from '../modules/tokens';
import { BreachRecorder } from './breach-recorder';
import { BreachesController } from './breaches.controller';
import {
  BreachAffectedHandler,
  ListBreachesHandler,
  NotifyBreachHandler,
  RecordBreachHandler,
} from './breaches.handlers';

/** The breach log (Art. 33(5)): breaches and notifications as events, and the persons a breach touched. */
@Module({
  imports: [StoreModule, ProjectionsModule],
  controllers: [BreachesController],
  providers: [
    { provide: BreachRecorder, inject: [EVENT_STORE], useFactory: (store: EventStore) => new BreachRecorder(store) },
    { provide: BreachesReader, inject: [POOL], useFactory: (pool: Pool) => new BreachesReader(pool) },
    RecordBreachHandler,
    NotifyBreachHandler,
    ListBreachesHandler,
    BreachAffectedHandler,
  ],
})
export class BreachesModule {}
