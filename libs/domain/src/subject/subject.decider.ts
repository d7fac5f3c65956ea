import type { ErasureReason, InboundEnvelope } from '../envelope/envelope';
import { RuleViolation } from '../errors/rule-error';
import { categoryOf, type Policy, type PurposeDefinition } from '../policy/policy';
import { assertNever, type SubjectEvent } from './subject.events';
import { evolveSubject, type SubjectDecisionState } from './subject.state';

/**
 * Record one inbound envelope for one subject. Time arrives here (`recordedAt`): the decider has
 * no clock. `ref` is the upstream ref the envelope named the subject by, if any: a ref the
 * subject does not carry yet is linked by an event of its own.
 */
export interface RecordEnvelope {
  readonly envelope: InboundEnvelope;
  readonly recordedAt: string;
  readonly ref?: string;
}

export interface SubjectDecider {
  decide(command: RecordEnvelope, state: SubjectDecisionState): SubjectEvent[];
  evolve(state: SubjectDecisionState, event: SubjectEvent): SubjectDecisionState;
}

/** An ISO instant `months` calendar months later, in UTC (the policy's deadlines and retention). */
export const addMonths = (iso: string, months: number): string => {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
};

/** The decider for one data subject under the given policy: pure, synchronous, no I/O. */
export function subjectDecider(policy: Policy): SubjectDecider {
  const purposeOf = (id: string): PurposeDefinition => {
    const purpose = policy.purposes[id];
    if (!purpose) throw new RuleViolation('UNKNOWN_PURPOSE', `purpose '${id}' is not in policy ${policy.version}`);
    return purpose;
  };

  const checkCategory = (category: string): void => {
    if (!policy.categories[category]) {
      throw new RuleViolation('UNKNOWN_CATEGORY', `category '${category}' is not in policy ${policy.version}`);
    }
  };
  const checkCategories = (fieldKeys: readonly string[]): void => fieldKeys.map(categoryOf).forEach(checkCategory);

  /** Processing (collection, use, disclosure) for a purpose needs a lawful basis at this moment. */
  const checkProcessing = (state: SubjectDecisionState, purposeId: string): PurposeDefinition => {
    const purpose = purposeOf(purposeId);
    const objections = Object.values(state.objections).filter((o) => o.purposes.includes(purposeId));
    if (objections.some((o) => o.status === 'upheld')) {
      throw new RuleViolation('OBJECTION_UPHELD', `an upheld objection ended purpose '${purposeId}'`);
    }
    if (state.restricted) throw new RuleViolation('RESTRICTED', 'processing is restricted (Art. 18)');
    if (objections.some((o) => o.status === 'open')) {
      throw new RuleViolation('RESTRICTED', `an open objection restricts purpose '${purposeId}'`);
    }
    if (purpose.lawfulBasis === 'consent') {
      const consent = state.consents[purposeId];
      if (!consent?.given) throw new RuleViolation('CONSENT_REQUIRED', `purpose '${purposeId}' needs active consent`);
      if (consent.policyVersion < purpose.changedInVersion) {
        throw new RuleViolation(
          'CONSENT_REQUIRED',
          `purpose '${purposeId}' changed in policy ${purpose.changedInVersion}; consent under ${consent.policyVersion} does not cover it`,
        );
      }
    }
    return purpose;
  };

  /** Purposes the subject's data is still held for: collected, not ended by objection or withdrawal. */
  const livePurposes = (state: SubjectDecisionState): string[] =>
    state.collectedPurposes.filter((id) => {
      const ended = Object.values(state.objections).some((o) => o.status === 'upheld' && o.purposes.includes(id));
      const withdrawn = policy.purposes[id]?.lawfulBasis === 'consent' && state.consents[id]?.given === false;
      return !ended && !withdrawn;
    });

  const erase = (
    state: SubjectDecisionState,
    requestId: string,
    scope: 'all' | string[],
    reason: ErasureReason,
  ): SubjectEvent => {
    const holdIds = Object.keys(state.holds);
    if (holdIds.length > 0)
      return { type: 'erasure.refused', data: { requestId, scope, reason, holdIds }, personal: {} };
    const inScope = (key: string) => scope === 'all' || scope.includes(categoryOf(key));
    const fields = state.fields.filter(inScope);
    const categories = scope === 'all' ? [...new Set(fields.map(categoryOf))] : [...scope];
    return { type: 'erasure.completed', data: { requestId, scope, reason, categories, fields }, personal: {} };
  };

  const decideEnvelope = (command: RecordEnvelope, state: SubjectDecisionState): SubjectEvent[] => {
    const { envelope: e, recordedAt } = command;
    // Only requests have a deadline: computed for them alone (a date parse and print an envelope otherwise).
    const dueAt = () => addMonths(recordedAt, policy.requestDeadline.answerWithinMonths);
    switch (e.type) {
      case 'data.collected': {
        const keys = Object.keys(e.data.fields);
        const purpose = purposeOf(e.data.purpose);
        checkCategories(keys);
        if (e.data.lawfulBasis !== undefined && e.data.lawfulBasis !== purpose.lawfulBasis) {
          throw new RuleViolation(
            'LAWFUL_BASIS_MISMATCH',
            `purpose '${e.data.purpose}' rests on ${purpose.lawfulBasis} in policy ${policy.version}, not ${e.data.lawfulBasis}`,
          );
        }
        checkProcessing(state, e.data.purpose);
        return [
          {
            type: 'data.collected',
            data: {
              purpose: e.data.purpose,
              lawfulBasis: purpose.lawfulBasis,
              collectedFrom: e.data.collectedFrom,
              fields: keys,
            },
            personal: { values: e.data.fields },
          },
        ];
      }
      case 'data.corrected': {
        const keys = Object.keys(e.data.fields);
        checkCategories(keys);
        const personal =
          e.data.reason === undefined ? { values: e.data.fields } : { values: e.data.fields, reason: e.data.reason };
        return [{ type: 'data.corrected', data: { fields: keys }, personal }];
      }
      case 'data.used': {
        const fields = [...(e.data.fields ?? [])];
        checkCategories(fields);
        const purpose = checkProcessing(state, e.data.purpose);
        const personal = e.data.description === undefined ? {} : { description: e.data.description };
        return [
          { type: 'data.used', data: { purpose: e.data.purpose, lawfulBasis: purpose.lawfulBasis, fields }, personal },
        ];
      }
      case 'data.disclosed': {
        checkCategories(e.data.fields);
        const purpose = checkProcessing(state, e.data.purpose);
        return [
          {
            type: 'data.disclosed',
            data: {
              recipient: e.data.recipient,
              purpose: e.data.purpose,
              lawfulBasis: purpose.lawfulBasis,
              fields: [...e.data.fields],
            },
            personal: {},
          },
        ];
      }
      case 'consent.given': {
        purposeOf(e.data.purpose);
        const personal = e.data.evidence === undefined ? {} : { evidence: e.data.evidence };
        return [
          {
            type: 'consent.given',
            data: { purpose: e.data.purpose, policyVersion: e.data.policyVersion, channel: e.data.channel },
            personal,
          },
        ];
      }
      case 'consent.withdrawn':
        // Withdrawing is as easy as giving: always recorded, even when nothing was given.
        purposeOf(e.data.purpose);
        return [
          { type: 'consent.withdrawn', data: { purpose: e.data.purpose, channel: e.data.channel }, personal: {} },
        ];
      case 'objection.raised':
        e.data.purposes.forEach(purposeOf);
        return [
          {
            type: 'objection.raised',
            data: { objectionId: e.id, purposes: [...e.data.purposes] },
            personal: { grounds: e.data.grounds },
          },
        ];
      case 'objection.resolved': {
        const objection = state.objections[e.data.objectionId];
        if (!objection || objection.status !== 'open') {
          throw new RuleViolation('NO_SUCH_OBJECTION', `no open objection ${e.data.objectionId}`);
        }
        const resolved: SubjectEvent = {
          type: 'objection.resolved',
          data: { objectionId: e.data.objectionId, outcome: e.data.outcome, purposes: [...objection.purposes] },
          personal: { reason: e.data.reason },
        };
        if (e.data.outcome !== 'upheld') return [resolved];
        // Upheld with no purpose left: the data has no reason to exist, so erasure is due now.
        const after = evolveSubject(state, resolved);
        if (state.fields.length === 0 || livePurposes(after).length > 0) return [resolved];
        const requested: SubjectEvent = {
          type: 'erasure.requested',
          data: { requestId: e.id, scope: 'all', reason: 'objection-upheld', dueAt: dueAt() },
          personal: {},
        };
        return [resolved, requested, erase(after, e.id, 'all', 'objection-upheld')];
      }
      case 'restriction.placed':
        return [{ type: 'restriction.placed', data: {}, personal: { reason: e.data.reason } }];
      case 'restriction.lifted':
        return [{ type: 'restriction.lifted', data: {}, personal: { reason: e.data.reason } }];
      case 'legal-hold.placed': {
        const data = e.data.until === undefined ? { holdId: e.id } : { holdId: e.id, until: e.data.until };
        return [{ type: 'legal-hold.placed', data, personal: { reason: e.data.reason } }];
      }
      case 'legal-hold.lifted': {
        const { holdId } = e.data;
        if (holdId !== undefined && !state.holds[holdId])
          throw new RuleViolation('NO_SUCH_HOLD', `no legal hold ${holdId}`);
        const holdIds = holdId === undefined ? Object.keys(state.holds) : [holdId];
        const lifted: SubjectEvent = {
          type: 'legal-hold.lifted',
          data: { holdIds },
          personal: { reason: e.data.reason },
        };
        const after = evolveSubject(state, lifted);
        const pending = state.pendingErasure;
        if (!pending || Object.keys(after.holds).length > 0) return [lifted];
        // The erasure refused under the hold is still due: it runs now.
        return [
          lifted,
          erase(
            after,
            pending.requestId,
            pending.scope === 'all' ? 'all' : [...pending.scope],
            pending.reason as ErasureReason,
          ),
        ];
      }
      case 'access.requested': {
        const data =
          e.data.channel === undefined
            ? { requestId: e.id, dueAt: dueAt() }
            : { requestId: e.id, channel: e.data.channel, dueAt: dueAt() };
        return [{ type: 'access.requested', data, personal: {} }];
      }
      case 'erasure.requested': {
        const scope = e.data.scope === 'all' ? 'all' : [...e.data.scope];
        if (scope !== 'all') scope.forEach(checkCategory);
        return [
          {
            type: 'erasure.requested',
            data: { requestId: e.id, scope, reason: e.data.reason, dueAt: dueAt() },
            personal: {},
          },
          erase(state, e.id, scope, e.data.reason),
        ];
      }
      case 'erasure.acknowledged':
        return [{ type: 'erasure.acknowledged', data: { system: e.data.system }, personal: {} }];
      default:
        return assertNever(e);
    }
  };

  return {
    evolve: evolveSubject,
    decide(command, state) {
      const { envelope } = command;
      // Downstream systems confirm erasure of their copies after the fact, so only this type
      // may still reach an erased subject.
      if (state.erased && envelope.type !== 'erasure.acknowledged') {
        throw new RuleViolation('SUBJECT_ERASED', 'the subject has been erased');
      }
      const { ref } = command;
      if (!state.exists && ref === undefined) throw new RuleViolation('UNKNOWN_SUBJECT', 'no subject with this id');
      const events = decideEnvelope(command, state);
      if (ref === undefined || state.refs.includes(ref)) return events;
      const [first, ...rest] = events as [SubjectEvent, ...SubjectEvent[]];
      const linkedRefSystem = ref.slice(0, ref.indexOf(':'));
      const linking = {
        ...first,
        data: { ...first.data, linkedRefSystem },
        personal: { ...first.personal, linkedRef: ref },
      };
      return [linking as SubjectEvent, ...rest];
    },
  };
}
