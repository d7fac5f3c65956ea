import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessLogController } from './access-log/access-log.controller';
import { AccessLogReader } from './access-log/access-log.reader';
import { BearerAuthGuard, TOKENS } from './auth/bearer-auth.guard';
import { ReadRateLimitGuard, readRateLimitOptions } from './auth/read-rate-limit.guard';
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
import { MetricsPortServer } from './metrics/metrics-server';
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
      imports: [
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot(readRateLimitOptions(runtime.config.LEDGER_READ_RATE_LIMIT)),
      ],
      controllers: [
        EventsController,
        SubjectsController,
        AccessLogController,
        ErasuresController,
        RetentionController,
        IntegrityController,
        HealthController,
        MetricsController,
      ],
      providers: [
        { provide: LedgerRuntime, useValue: runtime },
        { provide: TOKENS, useValue: tokens },
        { provide: RuntimeCloser, useFactory: () => new RuntimeCloser(runtime) },
        { provide: AccessLogReader, useFactory: () => AccessLogReader.open(runtime.pool) },
        LedgerMetrics,
        MetricsPortServer,
        RecordEnvelopesHandler,
        SweepRetentionHandler,
        DailyRetentionSweep,
        KafkaIngestionService,
        ...SUBJECT_QUERY_HANDLERS,
        // In this order: the rate limit counts by the name the bearer guard finds.
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_GUARD, useClass: SingleQueryParamsGuard },
        { provide: APP_GUARD, useClass: ReadRateLimitGuard },
        { provide: APP_FILTER, useClass: LedgerErrorFilter },
      ],
      exports: [LedgerMetrics],
    };
  }
}
