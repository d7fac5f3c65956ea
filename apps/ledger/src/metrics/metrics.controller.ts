import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Roles } from '../auth/bearer-auth.guard';
import { LedgerProjections } from '../modules/ledger-projections';
import { LedgerMetrics } from './ledger-metrics';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4';

/** The scrape text, with the gauges that are read at scrape time brought up to date. */
export function scrapeMetrics(metrics: LedgerMetrics, projections: LedgerProjections): Promise<string> {
  for (const runner of projections.readModels) {
    const { name, lastBatchAt } = runner.status();
    if (lastBatchAt)
      metrics.projectionBatchAge.set({ projection: name }, (Date.now() - Date.parse(lastBatchAt)) / 1000);
  }
  return metrics.registry.metrics();
}

/**
 * Prometheus scrape endpoint. No personal data, by construction, but it tells an outsider how the
 * service is built and how busy it is: ops only (METRICS_PORT serves it without a token in-cluster).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
  ) {}

  @Get()
  @Roles('ops')
  @Header('Content-Type', METRICS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return scrapeMetrics(this.metrics, this.projections);
  }
}
