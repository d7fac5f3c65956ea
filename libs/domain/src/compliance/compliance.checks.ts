import type { Policy } from '../policy/policy';
import { isOverdue } from '../requests/legal-deadline';
import { addMonths } from '../subject/subject.decider';
import { systemKey, type ComplianceFacts, type ErasureFact } from './compliance.facts';

/** The checks `GET /v1/compliance` answers (CONTRACT §9), in the order it lists them. */
export const COMPLIANCE_CHECKS = [
  'no-use-after-withdrawal',
  'no-processing-while-restricted',
  'requests-on-time',
  'retention-respected',
  'erasures-acknowledged',
] as const;
export type ComplianceCheckId = (typeof COMPLIANCE_CHECKS)[number];

/** Downstream systems are given this long to confirm an erasure before the check counts it against them. */
export const ACKNOWLEDGEMENT_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The downstream systems the policy names that must confirm an erasure (Art. 19), as `systemKey`:
 * each processor for the categories it processes, and the policy's declared recipient systems
 * for a person whose data was disclosed to them.
 */
export interface DownstreamSystems {
  readonly byCategory: Readonly<Record<string, readonly string[]>>;
  readonly recipients: readonly string[];
}

export function downstreamSystems(policy: Policy): DownstreamSystems {
  const byCategory: Record<string, string[]> = {};
  for (const processor of policy.processors) {
    for (const category of processor.categories) (byCategory[category] ??= []).push(systemKey(processor.name));
  }
  return { byCategory, recipients: policy.systems.recipients.map(systemKey) };
}

/** What the clock-dependent checks need besides the facts. */
export interface ComplianceContext {
  /** The moment judged, an ISO instant. */
  readonly asOf: string;
  /** The policy's retention: months of inactivity after which data is due for erasure. */
  readonly retentionMonths: number;
  readonly downstream: DownstreamSystems;
}

/** When the person's data falls due for erasure; null once erased in full or before any event. */
export const retentionDueAt = (f: ComplianceFacts, retentionMonths: number): string | null =>
  f.erased || f.lastActivityAt === null ? null : addMonths(f.lastActivityAt, retentionMonths);

/**
 * Until when the legal holds in force block erasure, as an ISO instant: `infinity` for a hold
 * without end, null without holds. A hold whose `until` has passed no longer blocks (CONTRACT §8).
 */
export function holdsUntil(f: ComplianceFacts): string | null {
  const ends = Object.values(f.holds);
  if (ends.length === 0) return null;
  if (ends.some((until) => until === null || Number.isNaN(Date.parse(until)))) return 'infinity';
  return new Date(Math.max(...ends.map((until) => Date.parse(until!)))).toISOString();
}

/** The systems the policy names that have not confirmed this erasure. */
export const missingAcknowledgements = (erasure: ErasureFact, downstream: DownstreamSystems): string[] => {
  const required = new Set([
    ...erasure.categories.flatMap((category) => downstream.byCategory[category] ?? []),
    ...erasure.disclosedTo.filter((system) => downstream.recipients.includes(system)),
  ]);
  return [...required].filter((system) => !erasure.acknowledgedBy.includes(system)).sort();
};

type Check = (f: ComplianceFacts, context: ComplianceContext) => boolean;

/** Whether the person's history breaks each check as of `context.asOf`: the definitions, one predicate each. */
export const COMPLIANCE_VIOLATED: { readonly [Id in ComplianceCheckId]: Check } = {
  'no-use-after-withdrawal': (f) => f.usesAfterWithdrawal > 0,
  'no-processing-while-restricted': (f) => f.processedWhileRestricted > 0,
  'requests-on-time': (f, { asOf }) =>
    f.lateAnswers > 0 || Object.values(f.openRequests).some((dueDate) => isOverdue(dueDate, asOf)),
  'retention-respected': (f, { asOf, retentionMonths }) => {
    const due = retentionDueAt(f, retentionMonths);
    if (due === null || Date.parse(due) >= Date.parse(asOf)) return false;
    const holds = holdsUntil(f);
    return holds === null || (holds !== 'infinity' && Date.parse(holds) <= Date.parse(asOf));
  },
  'erasures-acknowledged': (f, { asOf, downstream }) => {
    const cutoff = Date.parse(asOf) - ACKNOWLEDGEMENT_DAYS * DAY_MS;
    return f.erasures.some((e) => Date.parse(e.at) < cutoff && missingAcknowledgements(e, downstream).length > 0);
  },
};

/** The checks the person's history breaks as of `context.asOf`, in the listed order. */
export const violatedChecks = (f: ComplianceFacts, context: ComplianceContext): ComplianceCheckId[] =>
  COMPLIANCE_CHECKS.filter((id) => COMPLIANCE_VIOLATED[id](f, context));
