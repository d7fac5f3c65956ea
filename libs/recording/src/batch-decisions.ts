import { breathe } from '#ledger/common';
import { RuleViolation, type SubjectDecider, type SubjectDecisionState, type SubjectEvent } from '#ledger/domain';
import type { BatchOutcomes } from './batch-outcomes';
import type { Loaded } from './decision-states';
import type { Addressed } from './subject-resolution';

/** The events one envelope was decided into. Final: sealing and storing add beside, never into. */
export interface Decision {
  readonly item: Addressed;
  readonly events: readonly SubjectEvent[];
}

/** One subject's decisions in batch order, and its state after them. */
export interface SubjectDecisions {
  readonly subjectId: string;
  readonly before: Loaded;
  readonly after: SubjectDecisionState;
  readonly decisions: readonly Decision[];
}

/**
 * Decides, in batch order, each envelope against its subject's state so far. A rule violation
 * rejects that envelope (or the batch, when atomic); the subject's state moves on without it.
 */
export async function decideBatch(
  addressed: readonly Addressed[],
  loaded: ReadonlyMap<string, Loaded>,
  { decider, recordedAt }: { decider: SubjectDecider; recordedAt: string },
  outcomes: BatchOutcomes,
): Promise<SubjectDecisions[]> {
  const bySubject = new Map<string, { before: Loaded; after: SubjectDecisionState; decisions: Decision[] }>();
  for (const item of addressed) {
    await breathe();
    const { envelope, subjectId } = item;
    let subject = bySubject.get(subjectId);
    const state = subject?.after ?? loaded.get(subjectId)!.state;
    let events: SubjectEvent[];
    try {
      const ref = envelope.subject.ref;
      events = decider.decide(ref === undefined ? { envelope, recordedAt } : { envelope, recordedAt, ref }, state);
    } catch (error) {
      if (!(error instanceof RuleViolation)) throw error;
      outcomes.reject(item.index, error);
      continue;
    }
    if (!subject) bySubject.set(subjectId, (subject = { before: loaded.get(subjectId)!, after: state, decisions: [] }));
    subject.after = events.reduce(decider.evolve, state);
    subject.decisions.push({ item, events });
    outcomes.recorded(item.index, subjectId);
  }
  return [...bySubject].map(([subjectId, s]) => ({ subjectId, ...s }));
}
