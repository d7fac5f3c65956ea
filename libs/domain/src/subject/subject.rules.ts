import type { ErasureReason } from '../envelope/envelope';
import { RuleViolation } from '../errors/rule-error';
import { categoryOf, type Policy, type PurposeDefinition } from '../policy/policy';
import type { SubjectEvent } from './subject.events';
import type { SubjectDecisionState } from './subject.state';

/**
 * The checks the subject's decisions share. Each is pure and either answers or throws a
 * `RuleViolation` with a stable code; the messages name policy ids only, never personal values.
 */

export const purposeOf = (policy: Policy, id: string): PurposeDefinition => {
  const purpose = policy.purposes[id];
  if (!purpose) throw new RuleViolation('UNKNOWN_PURPOSE', `purpose '${id}' is not in policy ${policy.version}`);
  return purpose;
};

export const checkCategory = (policy: Policy, category: string): void => {
  if (!policy.categories[category]) {
    throw new RuleViolation('UNKNOWN_CATEGORY', `category '${category}' is not in policy ${policy.version}`);
  }
};

export const checkCategories = (policy: Policy, fieldKeys: readonly string[]): void => {
  for (const key of fieldKeys) checkCategory(policy, categoryOf(key));
};

/** An objection ends or pauses a purpose, and a restriction pauses them all. */
const checkNotStopped = (state: SubjectDecisionState, purposeId: string): void => {
  const objections = Object.values(state.objections).filter((o) => o.purposes.includes(purposeId));
  if (objections.some((o) => o.status === 'upheld')) {
    throw new RuleViolation('OBJECTION_UPHELD', `an upheld objection ended purpose '${purposeId}'`);
  }
  if (state.restricted) throw new RuleViolation('RESTRICTED', 'processing is restricted (Art. 18)');
  if (objections.some((o) => o.status === 'open')) {
    throw new RuleViolation('RESTRICTED', `an open objection restricts purpose '${purposeId}'`);
  }
};

/** Consent counts only if given under the policy version that last changed the purpose, or a later one. */
const checkConsent = (state: SubjectDecisionState, purposeId: string, purpose: PurposeDefinition): void => {
  const consent = state.consents[purposeId];
  if (!consent?.given) throw new RuleViolation('CONSENT_REQUIRED', `purpose '${purposeId}' needs active consent`);
  if (consent.policyVersion < purpose.changedInVersion) {
    throw new RuleViolation(
      'CONSENT_REQUIRED',
      `purpose '${purposeId}' changed in policy ${purpose.changedInVersion}; ` +
        `consent under ${consent.policyVersion} does not cover it`,
    );
  }
};

/** Processing (collection, use, disclosure) for a purpose needs a lawful basis at this moment. */
export const checkProcessing = (policy: Policy, state: SubjectDecisionState, purposeId: string): PurposeDefinition => {
  const purpose = purposeOf(policy, purposeId);
  checkNotStopped(state, purposeId);
  if (purpose.lawfulBasis === 'consent') checkConsent(state, purposeId, purpose);
  return purpose;
};

/** A purpose has ended for this person when an objection to it was upheld or its consent was withdrawn. */
export const purposeEnded = (policy: Policy, state: SubjectDecisionState, id: string): boolean => {
  const ended = Object.values(state.objections).some((o) => o.status === 'upheld' && o.purposes.includes(id));
  const withdrawn = policy.purposes[id]?.lawfulBasis === 'consent' && state.consents[id]?.given === false;
  return ended || withdrawn;
};

/** Purposes the subject's data is still held for: collected, not ended by objection or withdrawal. */
export const livePurposes = (policy: Policy, state: SubjectDecisionState): string[] =>
  state.collectedPurposes.filter((id) => !purposeEnded(policy, state, id));

/**
 * Categories whose every held field was collected only for purposes that have ended: their data
 * has no reason left to exist. A field with no known purpose (corrected, never collected) keeps its category.
 */
export const endedCategories = (policy: Policy, state: SubjectDecisionState): string[] => {
  const byCategory = new Map<string, boolean>();
  for (const key of state.fields) {
    const purposes = state.fieldPurposes[key] ?? [];
    const ended = purposes.length > 0 && purposes.every((id) => purposeEnded(policy, state, id));
    const category = categoryOf(key);
    byCategory.set(category, (byCategory.get(category) ?? true) && ended);
  }
  return [...byCategory].filter(([, ended]) => ended).map(([category]) => category);
};

/** Holds that still block erasure at `at`: those without `until`, or whose `until` is later. */
export const liveHoldIds = (state: SubjectDecisionState, at: string): string[] =>
  Object.entries(state.holds)
    .filter(([, hold]) => hold.until === undefined || Date.parse(hold.until) > Date.parse(at))
    .map(([id]) => id);

/** The erasure a request asks for: completed over the fields in scope, or refused while a live legal hold stands. */
export const erase = (
  state: SubjectDecisionState,
  requestId: string,
  scope: 'all' | string[],
  reason: ErasureReason,
  at: string,
): SubjectEvent => {
  const holdIds = liveHoldIds(state, at);
  if (holdIds.length > 0) return { type: 'erasure.refused', data: { requestId, scope, reason, holdIds }, personal: {} };
  const inScope = (key: string) => scope === 'all' || scope.includes(categoryOf(key));
  const fields = state.fields.filter(inScope);
  const categories = scope === 'all' ? [...new Set(fields.map(categoryOf))] : [...scope];
  return { type: 'erasure.completed', data: { requestId, scope, reason, categories, fields }, personal: {} };
};
