import { Command } from '@nestjs/cqrs';

export interface SweepResult {
  readonly asOf: string;
  readonly erased: string[];
  readonly refused: string[];
}

/**
 * Erase everyone whose data has been unused past the retention period, unless held. A dry run
 * decides the same and writes nothing: `erased` and `refused` then say who would be.
 */
export class SweepRetentionCommand extends Command<SweepResult> {
  constructor(
    readonly asOf: string,
    readonly dryRun = false,
  ) {
    super();
  }
}
