import { Command } from '@nestjs/cqrs';
import type { InboundEnvelope } from '#ledger/domain';
import type { RecordResult } from '#ledger/recording';

/** Record validated envelopes, all or nothing (the HTTP contract), and wait for the read models. */
export class RecordEnvelopesCommand extends Command<RecordResult> {
  constructor(
    readonly envelopes: readonly InboundEnvelope[],
    readonly channel: 'http' | 'kafka',
  ) {
    super();
  }
}
