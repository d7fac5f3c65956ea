import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LedgerRuntime } from '../runtime/ledger-runtime';
import { LedgerMetrics } from './ledger-metrics';

/** Prometheus scrape endpoint. Public like /health: it holds no personal data, by construction. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(LedgerRuntime) private readonly runtime: LedgerRuntime,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    for (const runner of this.runtime.runners) {
      const { name, lastBatchAt } = runner.status();
      if (lastBatchAt) this.metrics.projectionBatchAge.set({ projection: name }, (Date.now() - Date.parse(lastBatchAt)) / 1000);
    }
    return this.metrics.registry.metrics();
  }
}
