import type { ErasureReason, InboundEnvelope, InboundType } from '../envelope/envelope';
import { RuleViolation } from '../errors/rule-error';
import type { Policy } from '../policy/policy';
import type { SubjectEvent } from './subject.events';
import { checkCategories, checkCategory, checkProcessing, erase, livePurposes, purposeOf } from './subject.rules';
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

/** What a decision reads besides its envelope. */
interface DecisionContext {
  readonly policy: Policy;
  readonly state: SubjectDecisionState;
  readonly recordedAt: string;
}

type EnvelopeOf<T extends InboundType> = Extract<InboundEnvelope, { readonly type: T }>;
type Decision<T extends InboundType> = (envelope: EnvelopeOf<T>, context: DecisionContext) => SubjectEvent[];

/** When a request (access, erasure) must be answered. */
const dueAt = ({ policy, recordedAt }: DecisionContext): string =>
  addMonths(recordedAt, policy.requestDeadline.answerWithinMonths);

const collect: Decision<'data.collected'> = ({ data }, { policy, state }) => {
  const keys = Object.keys(data.fields);
  const purpose = purposeOf(policy, data.purpose);
  checkCategories(policy, keys);
  if (data.lawfulBasis !== undefined && data.lawfulBasis !== purpose.lawfulBasis) {
    throw new RuleViolation(
      'LAWFUL_BASIS_MISMATCH',
      `purpose '${data.purpose}' rests on ${purpose.lawfulBasis} in policy ${policy.version}, not ${data.lawfulBasis}`,
    );
  }
  checkProcessing(policy, state, data.purpose);
  const { collectedFrom } = data;
  return [
    {
      type: 'data.collected',
      data: { purpose: data.purpose, lawfulBasis: purpose.lawfulBasis, collectedFrom, fields: keys },
      personal: { values: data.fields },
    },
  ];
};

const correct: Decision<'data.corrected'> = ({ data }, { policy }) => {
  const keys = Object.keys(data.fields);
  checkCategories(policy, keys);
  const personal = data.reason === undefined ? { values: data.fields } : { values: data.fields, reason: data.reason };
  return [{ type: 'data.corrected', data: { fields: keys }, personal }];
};

const use: Decision<'data.used'> = ({ data }, { policy, state }) => {
  const fields = [...(data.fields ?? [])];
  checkCategories(policy, fields);
  const { lawfulBasis } = checkProcessing(policy, state, data.purpose);
  const personal = data.description === undefined ? {} : { description: data.description };
  return [{ type: 'data.used', data: { purpose: data.purpose, lawfulBasis, fields }, personal }];
};

const disclose: Decision<'data.disclosed'> = ({ data }, { policy, state }) => {
  checkCategories(policy, data.fields);
  const { lawfulBasis } = checkProcessing(policy, state, data.purpose);
  const { recipient, purpose } = data;
  return [
    { type: 'data.disclosed', data: { recipient, purpose, lawfulBasis, fields: [...data.fields] }, personal: {} },
  ];
};

const giveConsent: Decision<'consent.given'> = ({ data }, { policy }) => {
  purposeOf(policy, data.purpose);
  const personal = data.evidence === undefined ? {} : { evidence: data.evidence };
  const { purpose, policyVersion, channel } = data;
  return [{ type: 'consent.given', data: { purpose, policyVersion, channel }, personal }];
};

/** Withdrawing is as easy as giving: always recorded, even when nothing was given. */
const withdrawConsent: Decision<'consent.withdrawn'> = ({ data }, { policy }) => {
  purposeOf(policy, data.purpose);
  return [{ type: 'consent.withdrawn', data: { purpose: data.purpose, channel: data.channel }, personal: {} }];
};

const raiseObjection: Decision<'objection.raised'> = ({ id, data }, { policy }) => {
  for (const purpose of data.purposes) purposeOf(policy, purpose);
  return [
    {
      type: 'objection.raised',
      data: { objectionId: id, purposes: [...data.purposes] },
      personal: { grounds: data.grounds },
    },
  ];
};

/** Upheld with no purpose left, the data has no reason to exist: erasure is due at once. */
const resolveObjection: Decision<'objection.resolved'> = ({ id, data }, context) => {
  const { state } = context;
  const objection = state.objections[data.objectionId];
  if (!objection || objection.status !== 'open') {
    throw new RuleViolation('NO_SUCH_OBJECTION', `no open objection ${data.objectionId}`);
  }
  const resolved: SubjectEvent = {
    type: 'objection.resolved',
    data: { objectionId: data.objectionId, outcome: data.outcome, purposes: [...objection.purposes] },
    personal: { reason: data.reason },
  };
  if (data.outcome !== 'upheld') return [resolved];
  const after = evolveSubject(state, resolved);
  if (state.fields.length === 0 || livePurposes(context.policy, after).length > 0) return [resolved];
  const requested: SubjectEvent = {
    type: 'erasure.requested',
    data: { requestId: id, scope: 'all', reason: 'objection-upheld', dueAt: dueAt(context) },
    personal: {},
  };
  return [resolved, requested, erase(after, id, 'all', 'objection-upheld')];
};

const placeRestriction: Decision<'restriction.placed'> = ({ data }) => [
  { type: 'restriction.placed', data: {}, personal: { reason: data.reason } },
];

const liftRestriction: Decision<'restriction.lifted'> = ({ data }) => [
  { type: 'restriction.lifted', data: {}, personal: { reason: data.reason } },
];

const placeHold: Decision<'legal-hold.placed'> = ({ id, data }) => {
  const held = data.until === undefined ? { holdId: id } : { holdId: id, until: data.until };
  return [{ type: 'legal-hold.placed', data: held, personal: { reason: data.reason } }];
};

/** An erasure refused under the holds is still due: it runs once the last of them is lifted. */
const liftHold: Decision<'legal-hold.lifted'> = ({ data }, { state }) => {
  const { holdId } = data;
  if (holdId !== undefined && !state.holds[holdId]) throw new RuleViolation('NO_SUCH_HOLD', `no legal hold ${holdId}`);
  const holdIds = holdId === undefined ? Object.keys(state.holds) : [holdId];
  const lifted: SubjectEvent = { type: 'legal-hold.lifted', data: { holdIds }, personal: { reason: data.reason } };
  const after = evolveSubject(state, lifted);
  const pending = state.pendingErasure;
  if (!pending || Object.keys(after.holds).length > 0) return [lifted];
  const scope = pending.scope === 'all' ? 'all' : [...pending.scope];
  return [lifted, erase(after, pending.requestId, scope, pending.reason as ErasureReason)];
};

const requestAccess: Decision<'access.requested'> = ({ id, data }, context) => {
  const requested =
    data.channel === undefined
      ? { requestId: id, dueAt: dueAt(context) }
      : { requestId: id, channel: data.channel, dueAt: dueAt(context) };
  return [{ type: 'access.requested', data: requested, personal: {} }];
};

const requestErasure: Decision<'erasure.requested'> = ({ id, data }, context) => {
  const scope = data.scope === 'all' ? 'all' : [...data.scope];
  if (scope !== 'all') for (const category of scope) checkCategory(context.policy, category);
  return [
    {
      type: 'erasure.requested',
      data: { requestId: id, scope, reason: data.reason, dueAt: dueAt(context) },
      personal: {},
    },
    erase(context.state, id, scope, data.reason),
  ];
};

const acknowledgeErasure: Decision<'erasure.acknowledged'> = ({ data }) => [
  { type: 'erasure.acknowledged', data: { system: data.system }, personal: {} },
];

/** One decision per envelope type: the compiler insists a new type gets one. */
const decisions: { readonly [T in InboundType]: Decision<T> } = {
  'data.collected': collect,
  'data.corrected': correct,
  'data.used': use,
  'data.disclosed': disclose,
  'consent.given': giveConsent,
  'consent.withdrawn': withdrawConsent,
  'objection.raised': raiseObjection,
  'objection.resolved': resolveObjection,
  'restriction.placed': placeRestriction,
  'restriction.lifted': liftRestriction,
  'legal-hold.placed': placeHold,
  'legal-hold.lifted': liftHold,
  'access.requested': requestAccess,
  'erasure.requested': requestErasure,
  'erasure.acknowledged': acknowledgeErasure,
};

/** The type is passed apart from the envelope so the compiler can pair the decision with its envelope. */
const decideEnvelope = <T extends InboundType>(
  type: T,
  envelope: EnvelopeOf<T>,
  context: DecisionContext,
): SubjectEvent[] => decisions[type](envelope, context);

/** Whether the envelope may reach this subject at all. */
const checkAddressable = ({ envelope, ref }: RecordEnvelope, state: SubjectDecisionState): void => {
  // Downstream systems confirm erasure of their copies after the fact, so only this type
  // may still reach an erased subject.
  if (state.erased && envelope.type !== 'erasure.acknowledged') {
    throw new RuleViolation('SUBJECT_ERASED', 'the subject has been erased');
  }
  if (!state.exists && ref === undefined) throw new RuleViolation('UNKNOWN_SUBJECT', 'no subject with this id');
};

/** The first of the events carries the ref the subject did not have yet (see `RefLink`). */
const linkRef = (events: SubjectEvent[], ref: string): SubjectEvent[] => {
  const [first, ...rest] = events as [SubjectEvent, ...SubjectEvent[]];
  const linkedRefSystem = ref.slice(0, ref.indexOf(':'));
  const linking = {
    ...first,
    data: { ...first.data, linkedRefSystem },
    personal: { ...first.personal, linkedRef: ref },
  };
  return [linking as SubjectEvent, ...rest];
};

/** The decider for one data subject under the given policy: pure, synchronous, no I/O. */
export function subjectDecider(policy: Policy): SubjectDecider {
  return {
    evolve: evolveSubject,
    decide(command, state) {
      checkAddressable(command, state);
      const { envelope, recordedAt, ref } = command;
      const events = decideEnvelope(envelope.type, envelope, { policy, state, recordedAt });
      return ref === undefined || state.refs.includes(ref) ? events : linkRef(events, ref);
    },
  };
}
