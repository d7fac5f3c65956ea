import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerWriter, type RecordResult } from '#ledger/recording';
import { RecordEnvelopes } from './record-envelopes';

/** The use case of recording: the writer decides, seals, appends and shreds. */
@CommandHandler(RecordEnvelopes)
export class RecordEnvelopesHandler implements ICommandHandler<RecordEnvelopes, RecordResult> {
  constructor(@Inject(LedgerWriter) private readonly writer: LedgerWriter) {}

  execute({ envelopes, mode }: RecordEnvelopes): Promise<RecordResult> {
    return this.writer.record(envelopes, { atomic: mode === 'all-or-nothing' });
  }
}
