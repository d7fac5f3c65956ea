import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerProjections } from '../modules/ledger-projections';
import { LEDGER_CONFIG } from '../modules/tokens';
import { LedgerMetrics } from './ledger-metrics';
import { METRICS_CONTENT_TYPE, scrapeMetrics } from './metrics.controller';

/**
 * With METRICS_PORT set, /metrics is served without a token on that port too, for a scraper inside
 * the cluster: that port is meant to be reachable only there, while the API's port keeps /metrics
 * behind the ops token. Nothing else is served on it, and no request body is read.
 */
@Injectable()
export class MetricsPortServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics');
  private server: Server | null = null;

  constructor(
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.METRICS_PORT;
    if (port === undefined) return;
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
        return;
      }
      scrapeMetrics(this.metrics, this.projections).then(
        (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
        () => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal' })),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, resolve);
    });
    this.server = server;
    this.logger.log(`metrics without a token on port ${port} (METRICS_PORT)`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
