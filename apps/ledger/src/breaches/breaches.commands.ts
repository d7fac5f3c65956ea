import { Command, Query } from '@nestjs/cqrs';
import type { AffectedSubject, BreachEntry, BreachFacts, BreachNotification } from '#ledger/projections';
import type { BreachRecordResult } from './breach-recorder';

export class RecordBreachCommand extends Command<BreachRecordResult> {
  constructor(
    readonly facts: BreachFacts,
    readonly actor: string,
  ) {
    super();
  }
}

export class NotifyBreachCommand extends Command<BreachRecordResult> {
  constructor(
    readonly breachId: string,
    readonly notification: BreachNotification,
    readonly actor: string,
  ) {
    super();
  }
}

export class ListBreachesQuery extends Query<{ breaches: BreachEntry[] }> {
  constructor(readonly now: string) {
    super();
  }
}

export interface AffectedAnswer {
  readonly breachId: string;
  readonly count: number;
  readonly subjects: AffectedSubject[];
}

/** null: no such breach. */
export class BreachAffectedQuery extends Query<AffectedAnswer | null> {
  constructor(readonly breachId: string) {
    super();
  }
}
