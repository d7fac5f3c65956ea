import { Global, Module } from '@nestjs/common';
import { LedgerMetrics } from '../metrics/ledger-metrics';

/** The service's Prometheus metrics, counted wherever something happens. */
@Global()
@Module({ providers: [LedgerMetrics], exports: [LedgerMetrics] })
export class MetricsModule {}
