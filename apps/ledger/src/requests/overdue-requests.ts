import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { osloDate } from '#ledger/domain';
import { safeErrorSummary } from '#ledger/postgres';
import { RequestRegisterReader } from '#ledger/projections';
import { LedgerMetrics } from '../metrics/ledger-metrics';

const REFRESH_MS = 60_000;

/**
 * Keeps `ledger_requests_overdue` current on a timer of its own, since a request becomes overdue
 * with the passing of a day, not with an event; and once per Oslo day logs how many are overdue
 * (a count, never an id of a person).
 */
@Injectable()
export class OverdueRequests implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('requests');
  private timer: NodeJS.Timeout | null = null;
  private loggedDay: string | null = null;

  constructor(
    @Inject(RequestRegisterReader) private readonly register: RequestRegisterReader,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.refresh(new Date().toISOString()).catch((error: unknown) => {
        this.logger.error(`overdue requests not counted: ${safeErrorSummary(error)}`);
      });
    };
    run();
    this.timer = setInterval(run, REFRESH_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Counts the overdue requests as of `now`, sets the gauge, and logs the count on a new day. */
  async refresh(now: string): Promise<number> {
    const today = osloDate(now);
    const overdue = await this.register.overdueCount(today);
    this.metrics.requestsOverdue.set(overdue);
    if (this.loggedDay !== today) {
      this.loggedDay = today;
      this.logger.log(`data-subject requests overdue on ${today}: ${overdue}`);
    }
    return overdue;
  }
}
