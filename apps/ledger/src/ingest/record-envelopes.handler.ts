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
    // The writes acknowledged before this one began: the read model must show them before this
    // POST answers (below), so it trails the ingestion by at most the POSTs in flight.
    const earlier = this.runtime.latestWrite;
    let result: RecordResult;
    try {
      result = await this.runtime.writer.record(envelopes, { atomic });
    } catch (error) {
      if (error instanceof BatchRejected) {
        this.metrics.rejections.inc({ code: error.error.code, channel });
        this.logger.log(
          `batch of ${envelopes.length} refused: ${error.error.code} at events[${error.index}] (${envelopes[error.index]?.id})`,
        );
      }
      throw error;
    }
    for (const outcome of result.outcomes) {
      this.metrics.envelopes.inc({ type: envelopes[outcome.index]!.type, status: outcome.status, channel });
      if (outcome.status === 'rejected') this.metrics.rejections.inc({ code: outcome.error.code, channel });
    }
    if (result.checkpoint !== null) this.runtime.noteWrite(result.checkpoint);
    // Backpressure, not read-your-writes: a POST does not wait for the read model to show its own
    // write (a read of the subject waits for that, see LedgerRuntime.currentState), only for the
    // writes acknowledged before it began, so the projection overlaps the next POSTs' work.
    if (atomic && earlier !== null) {
      const shown = await this.runtime.waitForProjections(earlier, this.runtime.config.LEDGER_READ_YOUR_WRITES_MS);
      if (!shown)
        this.logger.warn(
          'read models did not show earlier writes within LEDGER_READ_YOUR_WRITES_MS; they are recorded and will show',
        );
    }
    return result;
  }
}
