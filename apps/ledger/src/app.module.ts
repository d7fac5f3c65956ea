import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessLogController } from './access-log/access-log.controller';
import { AccessReportModule } from './access-report/access-report.module';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { BreachesModule } from './breaches/breaches.module';
import { ComplianceModule } from './compliance/compliance.module';
import { ReadRateLimitGuard, readRateLimitOptions } from './auth/read-rate-limit.guard';
import { GetErasureCertificateHandler } from './erasure/erasure-certificate.query';
import { ConsentsModule } from './consents/consents.module';
import { ConsoleController } from './console/console.controller';
import { ErasuresController } from './erasure/erasures.controller';
import { HealthController } from './health/health.controller';
import { LedgerErrorFilter } from './http/error.filter';
import { SingleQueryParamsGuard } from './http/single-query-params.guard';
import { EventsController } from './ingest/events.controller';
import { RecordEnvelopesHandler } from './ingest/record-envelopes.handler';
import { WriteBackpressure } from './ingest/write-backpressure';
import { MetricsPortServer } from './metrics/metrics-server';
import { MetricsController } from './metrics/metrics.controller';
import { AccessLogModule } from './modules/access-log.module';
import { CryptoModule } from './modules/crypto.module';
import { KafkaModule } from './modules/kafka.module';
import { LedgerLifecycle } from './modules/ledger-lifecycle';
import { MetricsModule } from './modules/metrics.module';
import { ProjectionsModule } from './modules/projections.module';
import { RecordingModule } from './modules/recording.module';
import { SettingsModule, type LedgerSettings } from './modules/settings.module';
import { StoreModule } from './modules/store.module';
import { IntegrityController } from './operations/integrity.controller';
import { VerifyChainsHandler } from './operations/verify-chains.query';
import { ProcessingRecordModule } from './processing-record/processing-record.module';
import { RequestsModule } from './requests/requests.module';
import { DailyRetentionSweep, RetentionController } from './retention/retention.controller';
import { SweepRetentionHandler } from './retention/sweep-retention.handler';
import { SUBJECT_QUERY_HANDLERS } from './subjects/subject-query.handlers';
import { SubjectsController } from './subjects/subjects.controller';
import { VerifiableLogModule } from './modules/verifiable-log.module';
import { VerifiableLogController } from './verifiable-log/verifiable-log.controller';
import { VERIFIABLE_LOG_QUERY_HANDLERS } from './verifiable-log/verifiable-log.queries';

/**
 * The ledger: one module per capability (settings, store, crypto, recording, projections, Kafka,
 * access log, metrics), each providing its ports from the validated configuration; here, the HTTP
 * face over them: thin controllers that send commands and queries, and their handlers.
 */
@Module({})
export class AppModule {
  static register(settings: LedgerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.register(settings),
        MetricsModule,
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot(readRateLimitOptions(settings.config.LEDGER_READ_RATE_LIMIT)),
        StoreModule,
        CryptoModule,
        RecordingModule,
        ProjectionsModule,
        KafkaModule,
        AccessLogModule,
        VerifiableLogModule,
        RequestsModule,
        ConsentsModule,
        ComplianceModule,
        BreachesModule,
        ProcessingRecordModule,
        AccessReportModule,
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
        VerifiableLogController,
        ConsoleController,
      ],
      providers: [
        LedgerLifecycle,
        WriteBackpressure,
        MetricsPortServer,
        RecordEnvelopesHandler,
        SweepRetentionHandler,
        DailyRetentionSweep,
        GetErasureCertificateHandler,
        VerifyChainsHandler,
        ...SUBJECT_QUERY_HANDLERS,
        ...VERIFIABLE_LOG_QUERY_HANDLERS,
        // In this order: the rate limit counts by the name the bearer guard finds.
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_GUARD, useClass: SingleQueryParamsGuard },
        { provide: APP_GUARD, useClass: ReadRateLimitGuard },
        { provide: APP_FILTER, useClass: LedgerErrorFilter },
      ],
    };
  }
}
