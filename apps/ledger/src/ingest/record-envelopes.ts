import { Command } from '@nestjs/cqrs';
import type { InboundEnvelope } from '#ledger/domain';
import type { RecordResult } from '#ledger/recording';

/**
 * Record validated envelopes: all or nothing (one refusal refuses the batch), or each on its own
 * (each refusal is an outcome of its own). Whoever sends the command decides which.
 */
export class RecordEnvelopes extends Command<RecordResult> {
  constructor(
    readonly envelopes: readonly InboundEnvelope[],
    readonly mode: 'all-or-nothing' | 'each-on-its-own',
  ) {
    super();
  }
}
