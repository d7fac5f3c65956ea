import type { ErasureReason, InboundEnvelope, InboundType } from '../envelope/envelope';
import { RuleViolation } from '../errors/rule-error';
import { policyVersionKnown, type Policy } from '../policy/policy';
import {
  addMonthsAsRegulation1182,
  answeredOnTime,
  osloDate,
  requestDueDate,
  workingDayOnOrAfter,
} from '../requests/legal-deadline';
import type { SubjectEvent } from './subject.events';
import {
  checkCategories,
  checkCategory,
  checkProcessing,
  endedCategories,
  erase,
  livePurposes,
  purposeOf,
} from './subject.rules';
import { evolveSubject, type RequestState, type SubjectDecisionState } from './subject.state';

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

/** When a request received at `occurredAt` was received and is due, as the law counts it (CONTRACT §8). */
const requestDates = (occurredAt: string): { receivedAt: string; dueDate: string } => {
  const receivedAt = new Date(occurredAt).toISOString();
  return { receivedAt, dueDate: requestDueDate(receivedAt) };
};

/** The open request of that id, or NO_SUCH_REQUEST. */
const openRequest = (state: SubjectDecisionState, requestId: string): RequestState => {
  const request = state.requests[requestId];
  if (!request?.open) throw new RuleViolation('NO_SUCH_REQUEST', `no open request ${requestId}`);
  return request;
};

/** The answer an erasure gives to the open request of its id, if there is one. */
const answerOfErasure = (state: SubjectDecisionState, erasure: SubjectEvent, occurredAt: string): SubjectEvent[] => {
  if (erasure.type !== 'erasure.completed' && erasure.type !== 'erasure.refused') return [];
  const request = state.requests[erasure.data.requestId];
  if (!request?.open) return [];
  const answeredAt = new Date(occurredAt).toISOString();
  const outcome = erasure.type === 'erasure.completed' ? 'fulfilled' : 'refused';
  const onTime = answeredOnTime(request.dueDate, answeredAt);
  return [
    {
      type: 'request.answered',
      data: { requestId: erasure.data.requestId, outcome, answeredAt, onTime },
      personal: {},
    },
  ];
};

/**
 * When a purpose ends (a withdrawal, an upheld objection), the categories left holding only
 * fields of ended purposes are erased at once, or the erasure is refused under a live hold.
 */
const purposeEndErasure = (
  policy: Policy,
  after: SubjectDecisionState,
  requestId: string,
  recordedAt: string,
): SubjectEvent[] => {
  const categories = endedCategories(policy, after);
  return categories.length === 0 ? [] : [erase(after, requestId, categories, 'purpose-ended', recordedAt)];
};

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
  if (!policyVersionKnown(policy, data.policyVersion)) {
    throw new RuleViolation('UNKNOWN_POLICY_VERSION', `policy version '${data.policyVersion}' is not published`);
  }
  const personal = data.evidence === undefined ? {} : { evidence: data.evidence };
  const { purpose, policyVersion, channel } = data;
  return [{ type: 'consent.given', data: { purpose, policyVersion, channel }, personal }];
};

/**
 * Withdrawing is as easy as giving: always recorded, even when nothing was given. The data
 * collected only for purposes that have now ended goes with it.
 */
const withdrawConsent: Decision<'consent.withdrawn'> = ({ id, data }, { policy, state, recordedAt }) => {
  purposeOf(policy, data.purpose);
  const withdrawn: SubjectEvent = {
    type: 'consent.withdrawn',
    data: { purpose: data.purpose, channel: data.channel },
    personal: {},
  };
  return [withdrawn, ...purposeEndErasure(policy, evolveSubject(state, withdrawn), id, recordedAt)];
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

/**
 * Upheld with no purpose left, the data has no reason to exist: erasure is due at once. Upheld
 * with purposes left, the categories held only for the ended ones go.
 */
const resolveObjection: Decision<'objection.resolved'> = ({ id, data, occurredAt }, context) => {
  const { state, recordedAt } = context;
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
  if (state.fields.length === 0) return [resolved];
  if (livePurposes(context.policy, after).length > 0) {
    return [resolved, ...purposeEndErasure(context.policy, after, id, recordedAt)];
  }
  const requested: SubjectEvent = {
    type: 'erasure.requested',
    data: { requestId: id, scope: 'all', reason: 'objection-upheld', ...requestDates(occurredAt) },
    personal: {},
  };
  return [resolved, requested, erase(after, id, 'all', 'objection-upheld', recordedAt)];
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
const liftHold: Decision<'legal-hold.lifted'> = ({ data }, { state, recordedAt }) => {
  const { holdId } = data;
  if (holdId !== undefined && !state.holds[holdId]) throw new RuleViolation('NO_SUCH_HOLD', `no legal hold ${holdId}`);
  const holdIds = holdId === undefined ? Object.keys(state.holds) : [holdId];
  const lifted: SubjectEvent = { type: 'legal-hold.lifted', data: { holdIds }, personal: { reason: data.reason } };
  const after = evolveSubject(state, lifted);
  const pending = state.pendingErasure;
  if (!pending || Object.keys(after.holds).length > 0) return [lifted];
  const scope = pending.scope === 'all' ? 'all' : [...pending.scope];
  return [lifted, erase(after, pending.requestId, scope, pending.reason as ErasureReason, recordedAt)];
};

const requestAccess: Decision<'access.requested'> = ({ id, data, occurredAt }) => {
  const dates = requestDates(occurredAt);
  const requested =
    data.channel === undefined ? { requestId: id, ...dates } : { requestId: id, channel: data.channel, ...dates };
  return [{ type: 'access.requested', data: requested, personal: {} }];
};

/** A subject's own erasure request opens a request that the erasure (or its refusal) answers. */
const requestErasure: Decision<'erasure.requested'> = ({ id, data, occurredAt }, context) => {
  const scope = data.scope === 'all' ? 'all' : [...data.scope];
  if (scope !== 'all') for (const category of scope) checkCategory(context.policy, category);
  const requested: SubjectEvent = {
    type: 'erasure.requested',
    data: { requestId: id, scope, reason: data.reason, ...requestDates(occurredAt) },
    personal: {},
  };
  const after = evolveSubject(context.state, requested);
  const erasure = erase(after, id, scope, data.reason, context.recordedAt);
  return [requested, erasure, ...answerOfErasure(after, erasure, occurredAt)];
};

const receiveRequest: Decision<'request.received'> = ({ id, data, occurredAt }) => {
  const { kind, channel } = data;
  return [
    { type: 'request.received', data: { requestId: id, kind, channel, ...requestDates(occurredAt) }, personal: {} },
  ];
};

const verifyIdentity: Decision<'request.identity-verified'> = ({ data }, { state }) => {
  openRequest(state, data.requestId);
  return [
    { type: 'request.identity-verified', data: { requestId: data.requestId, method: data.method }, personal: {} },
  ];
};

/**
 * An extension (Art. 12(3)) must be recorded by the first due date, and two months in all at
 * most; the new due date counts from receipt over the months in all.
 */
const extendRequest: Decision<'request.extended'> = ({ data }, { policy, state, recordedAt }) => {
  const request = openRequest(state, data.requestId);
  if (osloDate(recordedAt) > request.firstDueDate) {
    throw new RuleViolation('EXTENSION_NOT_ALLOWED', `request ${data.requestId} is past its first due date`);
  }
  const extendedMonths = request.extendedMonths + data.months;
  if (extendedMonths > policy.requestDeadline.maxExtensionMonths) {
    throw new RuleViolation('EXTENSION_NOT_ALLOWED', `request ${data.requestId} would be extended past the maximum`);
  }
  const dueDate =
    request.receivedAt === null
      ? workingDayOnOrAfter(addMonthsAsRegulation1182(request.firstDueDate, extendedMonths))
      : requestDueDate(request.receivedAt, extendedMonths);
  return [
    {
      type: 'request.extended',
      data: { requestId: data.requestId, months: data.months, extendedMonths, dueDate },
      personal: { reason: data.reason },
    },
  ];
};

const answerRequest: Decision<'request.answered'> = ({ data, occurredAt }, { state }) => {
  const request = openRequest(state, data.requestId);
  const answeredAt = new Date(occurredAt).toISOString();
  const onTime = answeredOnTime(request.dueDate, answeredAt);
  const answered = { requestId: data.requestId, outcome: data.outcome, answeredAt, onTime };
  return [
    {
      type: 'request.answered',
      data: answered,
      personal: data.reason === undefined ? {} : { reason: data.reason },
    },
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
  'request.received': receiveRequest,
  'request.identity-verified': verifyIdentity,
  'request.extended': extendRequest,
  'request.answered': answerRequest,
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
