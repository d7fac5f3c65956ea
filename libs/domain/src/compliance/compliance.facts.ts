import { answeredOnTime } from '../requests/legal-deadline';
import { REAL_USES, assertNever, type SubjectEvent } from '../subject/subject.events';
import { requestDates } from '../subject/subject.state';

/** Names compare as systems: case and spacing aside, `Visma Easycruit` is `visma-easycruit`. */
export const systemKey = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

/** One completed erasure, and the downstream systems that confirmed it since (Art. 19). */
export interface ErasureFact {
  /** When the ledger recorded it: the 30 days for acknowledgements count from here. */
  readonly at: string;
  readonly categories: readonly string[];
  /** Systems (as `systemKey`) the person's data had been disclosed to before it. */
  readonly disclosedTo: readonly string[];
  readonly acknowledgedBy: readonly string[];
}

/**
 * What the compliance checks need to know of one person, folded from their events: ids, purposes,
 * system names, dates and counts, never a personal value, so it outlives the person's erasure as
 * the record of how their data was handled. Clock-free: the checks judge it as of a given moment.
 */
export interface ComplianceFacts {
  /** Consent-based purposes whose consent was withdrawn and not given again. */
  readonly withdrawnPurposes: readonly string[];
  /** Collections, uses and disclosures on consent for a purpose while its consent stood withdrawn. */
  readonly usesAfterWithdrawal: number;
  /** restriction: data kept but not used (Art. 18), for the whole person. */
  readonly restricted: boolean;
  /** An open objection restricts its purposes until it is resolved (Art. 18(1)(d)). */
  readonly openObjections: Readonly<Record<string, readonly string[]>>;
  /** Collections, uses and disclosures while restricted, or for a purpose under an open objection. */
  readonly processedWhileRestricted: number;
  /** Each open request's due date (YYYY-MM-DD, Europe/Oslo). */
  readonly openRequests: Readonly<Record<string, string>>;
  /** Requests answered after their due date, judged again from the dates. */
  readonly lateAnswers: number;
  /** The last real use (or the first event): the retention clock. */
  readonly lastActivityAt: string | null;
  /** Legal holds in force, by id, with their `until` (null: until lifted). */
  readonly holds: Readonly<Record<string, string | null>>;
  /** Erased in full: nothing of the person is held any more. */
  readonly erased: boolean;
  readonly disclosedTo: readonly string[];
  readonly erasures: readonly ErasureFact[];
}

export const initialComplianceFacts: ComplianceFacts = {
  withdrawnPurposes: [],
  usesAfterWithdrawal: 0,
  restricted: false,
  openObjections: {},
  processedWhileRestricted: 0,
  openRequests: {},
  lateAnswers: 0,
  lastActivityAt: null,
  holds: {},
  erased: false,
  disclosedTo: [],
  erasures: [],
};

/** When an event happened upstream and when the ledger recorded it. */
export interface EventTimes {
  readonly occurredAt: string;
  readonly recordedAt: string;
}

type Processing = Extract<SubjectEvent, { type: 'data.collected' | 'data.used' | 'data.disclosed' }>;

const without = <V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

const withItem = (list: readonly string[], item: string): readonly string[] =>
  list.includes(item) ? list : [...list, item];

/** A processing event judged against what stops it: a withdrawn consent, a restriction, an open objection. */
function processed(f: ComplianceFacts, event: Processing): ComplianceFacts {
  const { purpose, lawfulBasis } = event.data;
  const onWithdrawnConsent = lawfulBasis === 'consent' && f.withdrawnPurposes.includes(purpose);
  const restricted = f.restricted || Object.values(f.openObjections).some((purposes) => purposes.includes(purpose));
  const disclosedTo =
    event.type === 'data.disclosed' ? withItem(f.disclosedTo, systemKey(event.data.recipient)) : f.disclosedTo;
  return {
    ...f,
    usesAfterWithdrawal: f.usesAfterWithdrawal + (onWithdrawnConsent ? 1 : 0),
    processedWhileRestricted: f.processedWhileRestricted + (restricted ? 1 : 0),
    disclosedTo,
  };
}

const requestOpened = (f: ComplianceFacts, requestId: string, dueDate: string): ComplianceFacts => ({
  ...f,
  openRequests: { ...f.openRequests, [requestId]: dueDate },
});

function requestAnswered(f: ComplianceFacts, requestId: string, answeredAt: string): ComplianceFacts {
  const dueDate = f.openRequests[requestId];
  if (dueDate === undefined) return f;
  const late = answeredOnTime(dueDate, answeredAt) ? 0 : 1;
  return { ...f, openRequests: without(f.openRequests, requestId), lateAnswers: f.lateAnswers + late };
}

function erasureCompleted(f: ComplianceFacts, categories: readonly string[], all: boolean, at: string) {
  const erasure: ErasureFact = { at, categories, disclosedTo: f.disclosedTo, acknowledgedBy: [] };
  return { ...f, erased: f.erased || all, holds: all ? {} : f.holds, erasures: [...f.erasures, erasure] };
}

/** An acknowledgement names no erasure: it confirms every erasure recorded before it. */
const erasureAcknowledged = (f: ComplianceFacts, system: string): ComplianceFacts => ({
  ...f,
  erasures: f.erasures.map((e) => ({ ...e, acknowledgedBy: withItem(e.acknowledgedBy, systemKey(system)) })),
});

/** The facts an event changes, apart from the retention clock. */
function foldEvent(f: ComplianceFacts, event: SubjectEvent, times: EventTimes): ComplianceFacts {
  switch (event.type) {
    case 'data.collected':
    case 'data.used':
    case 'data.disclosed':
      return processed(f, event);
    case 'consent.given':
      return { ...f, withdrawnPurposes: f.withdrawnPurposes.filter((p) => p !== event.data.purpose) };
    case 'consent.withdrawn':
      return { ...f, withdrawnPurposes: withItem(f.withdrawnPurposes, event.data.purpose) };
    case 'restriction.placed':
      return { ...f, restricted: true };
    case 'restriction.lifted':
      return { ...f, restricted: false };
    case 'objection.raised':
      return { ...f, openObjections: { ...f.openObjections, [event.data.objectionId]: event.data.purposes } };
    case 'objection.resolved':
      return { ...f, openObjections: without(f.openObjections, event.data.objectionId) };
    case 'legal-hold.placed':
      return { ...f, holds: { ...f.holds, [event.data.holdId]: event.data.until ?? null } };
    case 'legal-hold.lifted':
      return { ...f, holds: event.data.holdIds.reduce((holds, id) => without(holds, id), f.holds) };
    case 'access.requested':
      return requestOpened(f, event.data.requestId, requestDates(event.data).dueDate);
    case 'erasure.requested':
      if (event.data.reason !== 'subject-request') return f;
      return requestOpened(f, event.data.requestId, requestDates(event.data).dueDate);
    case 'request.received':
      return requestOpened(f, event.data.requestId, event.data.dueDate);
    case 'request.extended':
      if (f.openRequests[event.data.requestId] === undefined) return f;
      return requestOpened(f, event.data.requestId, event.data.dueDate);
    case 'request.answered':
      return requestAnswered(f, event.data.requestId, event.data.answeredAt);
    case 'erasure.completed':
      return erasureCompleted(f, event.data.categories, event.data.scope === 'all', times.recordedAt);
    case 'erasure.acknowledged':
      return erasureAcknowledged(f, event.data.system);
    case 'data.corrected':
    case 'erasure.refused':
    case 'request.identity-verified':
      return f;
    default:
      return assertNever(event);
  }
}

/** Folds one of the person's events into their compliance facts. Pure. */
export function evolveComplianceFacts(f: ComplianceFacts, event: SubjectEvent, times: EventTimes): ComplianceFacts {
  const next = foldEvent(f, event, times);
  const clock = next.lastActivityAt;
  if (!REAL_USES.has(event.type) && clock !== null) return next;
  const lastActivityAt = clock !== null && clock > times.occurredAt ? clock : times.occurredAt;
  return lastActivityAt === clock ? next : { ...next, lastActivityAt };
}
