import { Command } from '@nestjs/cqrs';

export interface SweepResult {
  readonly asOf: string;
  readonly erased: string[];
  readonly refused: string[];
}

/** Erase everyone whose data has been unused past the retention period, unless held. */
export class SweepRetentionCommand extends Command<SweepResult> {
  constructor(readonly asOf: string) {
    super();
  }
}
