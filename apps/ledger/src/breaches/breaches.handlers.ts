import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RuleViolation, type Policy } from '#ledger/domain';
import type { Checkpoint } from '#ledger/event-store';
import { BreachesReader } from '#ledger/projections';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerProjections } from '../modules/ledger-projections';
import { LEDGER_CONFIG, POLICY } from '../modules/tokens';
import { BreachRecorder, type BreachRecordResult } from './breach-recorder';
import {
  BreachAffectedQuery,
  ListBreachesQuery,
  NotifyBreachCommand,
  RecordBreachCommand,
  type AffectedAnswer,
} from './breaches.commands';

/** Read-your-writes: the breach log shows a write before its answer goes out (bounded). */
class Shown {
  constructor(
    private readonly projections: LedgerProjections,
    private readonly config: LedgerConfig,
  ) {}

  async show(checkpoint: Checkpoint | null): Promise<void> {
    if (checkpoint !== null) await this.projections.show(checkpoint, this.config.LEDGER_READ_YOUR_WRITES_MS);
  }
}

@CommandHandler(RecordBreachCommand)
export class RecordBreachHandler implements ICommandHandler<RecordBreachCommand, BreachRecordResult> {
  private readonly shown: Shown;

  constructor(
    @Inject(BreachRecorder) private readonly recorder: BreachRecorder,
    @Inject(POLICY) private readonly policy: Policy,
    @Inject(LedgerProjections) projections: LedgerProjections,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.shown = new Shown(projections, config);
  }

  async execute({ facts, actor }: RecordBreachCommand): Promise<BreachRecordResult> {
    const unknown = facts.categories.find((c) => !Object.hasOwn(this.policy.categories, c));
    if (unknown !== undefined) {
      throw new RuleViolation('UNKNOWN_CATEGORY', `category '${unknown}' is not in policy ${this.policy.version}`);
    }
    const result = await this.recorder.record(facts, actor, new Date().toISOString());
    await this.shown.show(result.checkpoint);
    return result;
  }
}

@CommandHandler(NotifyBreachCommand)
export class NotifyBreachHandler implements ICommandHandler<NotifyBreachCommand, BreachRecordResult> {
  private readonly shown: Shown;

  constructor(
    @Inject(BreachRecorder) private readonly recorder: BreachRecorder,
    @Inject(LedgerProjections) projections: LedgerProjections,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.shown = new Shown(projections, config);
  }

  async execute({ breachId, notification, actor }: NotifyBreachCommand): Promise<BreachRecordResult> {
    const result = await this.recorder.notify(breachId, notification, actor, new Date().toISOString());
    await this.shown.show(result.checkpoint);
    return result;
  }
}

@QueryHandler(ListBreachesQuery)
export class ListBreachesHandler implements IQueryHandler<ListBreachesQuery> {
  constructor(@Inject(BreachesReader) private readonly reader: BreachesReader) {}

  async execute({ now }: ListBreachesQuery) {
    return { breaches: await this.reader.list(now) };
  }
}

@QueryHandler(BreachAffectedQuery)
export class BreachAffectedHandler implements IQueryHandler<BreachAffectedQuery, AffectedAnswer | null> {
  constructor(@Inject(BreachesReader) private readonly reader: BreachesReader) {}

  async execute({ breachId }: BreachAffectedQuery): Promise<AffectedAnswer | null> {
    const breach = await this.reader.find(breachId);
    if (breach === null) return null;
    const subjects = await this.reader.affected(breach);
    return { breachId, count: subjects.length, subjects };
  }
}
