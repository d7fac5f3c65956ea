import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { BearerAuthGuard, TOKENS } from './auth/bearer-auth.guard';
import type { Principal } from './config/secrets';
import { ErasuresController } from './erasure/erasures.controller';
import { HealthController } from './health/health.controller';
import { LedgerErrorFilter } from './http/error.filter';
import { SingleQueryParamsGuard } from './http/single-query-params.guard';
import { EventsController } from './ingest/events.controller';
import { RecordEnvelopesHandler } from './ingest/record-envelopes.handler';
import { IntegrityController } from './operations/integrity.controller';
import { KafkaIngestionService } from './kafka/kafka-ingestion.service';
import { LedgerMetrics } from './metrics/ledger-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { DailyRetentionSweep, RetentionController } from './retention/retention.controller';
import { SweepRetentionHandler } from './retention/sweep-retention.handler';
import { LedgerRuntime } from './runtime/ledger-runtime';
import { SUBJECT_QUERY_HANDLERS } from './subjects/subject-query.handlers';
import { SubjectsController } from './subjects/subjects.controller';

class RuntimeCloser implements OnApplicationShutdown {
  constructor(private readonly runtime: LedgerRuntime) {}
  onApplicationShutdown(): Promise<void> {
    return this.runtime.close();
  }
}

/** The ledger's HTTP face: thin controllers and CQRS handlers over the framework-free runtime. */
@Module({})
export class AppModule {
  static register(runtime: LedgerRuntime, tokens: Map<string, Principal>): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [EventsController, SubjectsController, ErasuresController, RetentionController, IntegrityController, HealthController, MetricsController],
      providers: [
        { provide: LedgerRuntime, useValue: runtime },
        { provide: TOKENS, useValue: tokens },
        { provide: RuntimeCloser, useFactory: () => new RuntimeCloser(runtime) },
        LedgerMetrics,
        RecordEnvelopesHandler,
        SweepRetentionHandler,
        DailyRetentionSweep,
        KafkaIngestionService,
        ...SUBJECT_QUERY_HANDLERS,
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_GUARD, useClass: SingleQueryParamsGuard },
        { provide: APP_FILTER, useClass: LedgerErrorFilter },
      ],
      exports: [LedgerMetrics],
    };
  }
}
