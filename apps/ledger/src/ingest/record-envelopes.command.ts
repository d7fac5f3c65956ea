import { Command } from '@nestjs/cqrs';
import type { InboundEnvelope } from '#ledger/domain';
import type { RecordResult } from '#ledger/recording';

/**
 * Record validated envelopes. HTTP: all or nothing, answering once the read models show the write.
 * Kafka: each envelope on its own (the rejected are dead-lettered), no wait (offsets follow the
 * store's commit, not the read models').
 */
export class RecordEnvelopesCommand extends Command<RecordResult> {
  constructor(
    readonly envelopes: readonly InboundEnvelope[],
    readonly channel: 'http' | 'kafka',
  ) {
    super();
  }

  get atomic(): boolean {
    return this.channel === 'http';
  }
}
