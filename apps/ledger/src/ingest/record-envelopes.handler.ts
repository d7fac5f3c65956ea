import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { BatchRejected, type RecordResult } from '#ledger/recording';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { LedgerRuntime } from '../runtime/ledger-runtime';
import { RecordEnvelopesCommand } from './record-envelopes.command';

@CommandHandler(RecordEnvelopesCommand)
export class RecordEnvelopesHandler implements ICommandHandler<RecordEnvelopesCommand, RecordResult> {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(LedgerRuntime) private readonly runtime: LedgerRuntime,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  async execute(command: RecordEnvelopesCommand): Promise<RecordResult> {
    const { envelopes, channel, atomic } = command;
    let result: RecordResult;
    try {
      result = await this.runtime.writer.record(envelopes, { atomic });
    } catch (error) {
      if (error instanceof BatchRejected) {
        this.metrics.rejections.inc({ code: error.error.code, channel });
        this.logger.log(`batch of ${envelopes.length} refused: ${error.error.code} at events[${error.index}] (${envelopes[error.index]?.id})`);
      }
      throw error;
    }
    for (const outcome of result.outcomes) {
      this.metrics.envelopes.inc({ type: envelopes[outcome.index]!.type, status: outcome.status, channel });
      if (outcome.status === 'rejected') this.metrics.rejections.inc({ code: outcome.error.code, channel });
    }
    if (atomic && result.checkpoint !== null) {
      const shown = await this.runtime.waitForProjections(result.checkpoint, this.runtime.config.LEDGER_READ_YOUR_WRITES_MS);
      if (!shown) this.logger.warn('read models did not show a write within LEDGER_READ_YOUR_WRITES_MS; it is recorded and will show');
    }
    return result;
  }
}
