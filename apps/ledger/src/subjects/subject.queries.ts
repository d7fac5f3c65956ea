import { Query } from '@nestjs/cqrs';
import type { SubjectStateView, TrailEntry } from '#ledger/projections';
import type { AccessRecord } from '../access-log/access-log';
import type { Principal } from '../config/secrets';

/** Who reads, and why: every read of a person's data is logged with both. */
export interface ReadContext {
  readonly principal: Principal;
  readonly reason: string | null;
}

/**
 * A state read; with `values: false` the fields come without their values (keys, purposes, sources
 * and dates only), so a reader can see what is held before asking, with a reason, for what it says.
 */
export class GetSubjectStateQuery extends Query<SubjectStateView | null> {
  constructor(
    readonly subjectId: string,
    readonly context: ReadContext,
    readonly values = true,
  ) {
    super();
  }
}

export class GetSubjectTrailQuery extends Query<{ subjectId: string; entries: TrailEntry[] } | null> {
  constructor(
    readonly subjectId: string,
    readonly context: ReadContext,
  ) {
    super();
  }
}

export class FindSubjectByRefQuery extends Query<string | null> {
  constructor(
    readonly ref: string,
    readonly context: ReadContext,
  ) {
    super();
  }
}

export class GetSubjectAccessesQuery extends Query<AccessRecord[]> {
  constructor(readonly subjectId: string) {
    super();
  }
}
