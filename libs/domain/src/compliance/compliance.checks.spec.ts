import { defaultPolicy } from '../testing/envelopes';
import type { SubjectEvent } from '../subject/subject.events';
import {
  downstreamSystems,
  holdsUntil,
  missingAcknowledgements,
  violatedChecks,
  type ComplianceCheckId,
} from './compliance.checks';
import { evolveComplianceFacts, initialComplianceFacts, type ComplianceFacts } from './compliance.facts';

// given(a person's history, each event at its instant).asOf(instant).then(the checks it breaks).
const downstream = downstreamSystems(defaultPolicy());
const given = (...history: Array<[string, SubjectEvent]>) => {
  const facts = history.reduce<ComplianceFacts>(
    (f, [at, event]) => evolveComplianceFacts(f, event, { occurredAt: at, recordedAt: at }),
    initialComplianceFacts,
  );
  return {
    facts,
    asOf: (asOf: string) => ({
      then: (expected: ComplianceCheckId[]) =>
        expect(violatedChecks(facts, { asOf, retentionMonths: 60, downstream })).toEqual(expected),
    }),
  };
};

const ev = <T extends SubjectEvent['type']>(
  type: T,
  data: Extract<SubjectEvent, { type: T }>['data'],
  personal: object = {},
): SubjectEvent => ({ type, data, personal }) as SubjectEvent;
const collected = (purpose: string, lawfulBasis = 'consent') =>
  ev('data.collected', { purpose, lawfulBasis, collectedFrom: 'subject', fields: ['contact.email'] }, { values: {} });
const used = (purpose: string, lawfulBasis = 'consent') => ev('data.used', { purpose, lawfulBasis, fields: [] });
const disclosed = (recipient: string, purpose = 'client-assignments') =>
  ev('data.disclosed', { recipient, purpose, lawfulBasis: 'legitimate-interest', fields: ['contact.email'] });
const consentGiven = (purpose: string) => ev('consent.given', { purpose, policyVersion: '2018-05', channel: 'web' });
const withdrawn = (purpose: string) => ev('consent.withdrawn', { purpose, channel: 'web' });
const received = (requestId: string, dueDate: string) =>
  ev('request.received', { requestId, kind: 'access', channel: 'email', receivedAt: '2027-01-04T09:00:00Z', dueDate });
const answered = (requestId: string, answeredAt: string) =>
  ev('request.answered', { requestId, outcome: 'fulfilled', answeredAt, onTime: true });
const erased = (categories: string[]) =>
  ev('erasure.completed', { requestId: 'r', scope: 'all', reason: 'subject-request', categories, fields: [] });
const acknowledged = (system: string) => ev('erasure.acknowledged', { system });
const hold = (holdId: string, until?: string) =>
  ev('legal-hold.placed', until ? { holdId, until } : { holdId }, { reason: 'r' });

describe('no-use-after-withdrawal', () => {
  it('passes a use under consent, and a use after consent was given again', () => {
    given(
      ['2027-01-01T10:00:00Z', consentGiven('marketing')],
      ['2027-01-02T10:00:00Z', used('marketing')],
      ['2027-01-03T10:00:00Z', withdrawn('marketing')],
      ['2027-01-04T10:00:00Z', consentGiven('marketing')],
      ['2027-01-05T10:00:00Z', collected('marketing')],
    )
      .asOf('2027-01-06T00:00:00Z')
      .then([]);
  });

  it('fails a use or a disclosure on consent for the purpose whose consent was withdrawn', () => {
    given(
      ['2027-01-01T10:00:00Z', consentGiven('marketing')],
      ['2027-01-03T10:00:00Z', withdrawn('marketing')],
      ['2027-01-05T10:00:00Z', used('marketing')],
    )
      .asOf('2027-01-06T00:00:00Z')
      .then(['no-use-after-withdrawal']);
  });

  it('passes processing for another purpose, or on another basis, after a withdrawal', () => {
    given(
      ['2027-01-01T10:00:00Z', withdrawn('marketing')],
      ['2027-01-02T10:00:00Z', used('candidate-relationship')],
      ['2027-01-02T11:00:00Z', used('client-assignments', 'legitimate-interest')],
    )
      .asOf('2027-01-06T00:00:00Z')
      .then([]);
  });
});

describe('no-processing-while-restricted', () => {
  const restrict = ev('restriction.placed', {}, { reason: 'accuracy contested' });
  const lift = ev('restriction.lifted', {}, { reason: 'verified' });

  it('passes processing before a restriction and after it is lifted, and a correction while it holds', () => {
    given(
      ['2027-01-01T10:00:00Z', collected('client-assignments', 'legitimate-interest')],
      ['2027-01-02T10:00:00Z', restrict],
      ['2027-01-02T11:00:00Z', ev('data.corrected', { fields: ['contact.email'] }, { values: {} })],
      ['2027-01-03T10:00:00Z', lift],
      ['2027-01-04T10:00:00Z', disclosed('Webcruiter')],
    )
      .asOf('2027-01-06T00:00:00Z')
      .then([]);
  });

  it('fails a disclosure while restricted', () => {
    given(['2027-01-02T10:00:00Z', restrict], ['2027-01-02T12:00:00Z', disclosed('Webcruiter')])
      .asOf('2027-01-06T00:00:00Z')
      .then(['no-processing-while-restricted']);
  });

  it('fails a use for a purpose under an open objection, and passes it once the objection is rejected', () => {
    const raised = ev('objection.raised', { objectionId: 'o1', purposes: ['customer-service'] }, { grounds: 'g' });
    const rejected = ev(
      'objection.resolved',
      { objectionId: 'o1', outcome: 'rejected', purposes: ['customer-service'] },
      { reason: 'r' },
    );
    const use = used('customer-service', 'legitimate-interest');
    given(['2027-01-01T10:00:00Z', raised], ['2027-01-02T10:00:00Z', use])
      .asOf('2027-01-06T00:00:00Z')
      .then(['no-processing-while-restricted']);
    given(['2027-01-01T10:00:00Z', raised], ['2027-01-02T10:00:00Z', rejected], ['2027-01-03T10:00:00Z', use])
      .asOf('2027-01-06T00:00:00Z')
      .then([]);
  });
});

describe('requests-on-time', () => {
  it('passes a request answered on its due date, and an open one until its due date has ended in Oslo', () => {
    given(
      ['2027-01-04T09:00:00Z', received('q1', '2027-02-04')],
      ['2027-02-04T20:00:00Z', answered('q1', '2027-02-04T20:00:00Z')],
    )
      .asOf('2027-06-01T00:00:00Z')
      .then([]);
    given(['2027-01-04T09:00:00Z', received('q2', '2027-02-04')])
      .asOf('2027-02-04T22:59:00Z')
      .then([]);
  });

  it('fails an open request past its due date', () => {
    given(['2027-01-04T09:00:00Z', received('q2', '2027-02-04')])
      .asOf('2027-02-04T23:00:00Z')
      .then(['requests-on-time']);
  });

  it("fails a late answer whatever the answer's own onTime says, and an extension moves the due date", () => {
    given(
      ['2027-01-04T09:00:00Z', received('q1', '2027-02-04')],
      ['2027-02-08T09:00:00Z', answered('q1', '2027-02-08T09:00:00Z')],
    )
      .asOf('2027-03-01T00:00:00Z')
      .then(['requests-on-time']);
    const extended = ev(
      'request.extended',
      { requestId: 'q1', months: 1, extendedMonths: 1, dueDate: '2027-03-04' },
      { reason: 'complex' },
    );
    given(
      ['2027-01-04T09:00:00Z', received('q1', '2027-02-04')],
      ['2027-01-20T09:00:00Z', extended],
      ['2027-02-08T09:00:00Z', answered('q1', '2027-02-08T09:00:00Z')],
    )
      .asOf('2027-03-01T00:00:00Z')
      .then([]);
  });
});

describe('retention-respected', () => {
  it('passes data used within 60 months, and data past its date under a hold still in force', () => {
    given(
      ['2020-01-01T10:00:00Z', collected('client-assignments', 'legitimate-interest')],
      ['2023-01-01T10:00:00Z', used('client-assignments', 'legitimate-interest')],
    )
      .asOf('2027-06-01T00:00:00Z')
      .then([]);
    given(
      ['2020-01-01T10:00:00Z', collected('client-assignments', 'legitimate-interest')],
      ['2021-01-01T10:00:00Z', hold('h1')],
    )
      .asOf('2027-06-01T00:00:00Z')
      .then([]);
  });

  it('fails data unused past its date, and under a hold whose until has passed', () => {
    given(['2020-01-01T10:00:00Z', collected('client-assignments', 'legitimate-interest')])
      .asOf('2025-01-01T10:00:01Z')
      .then(['retention-respected']);
    given(
      ['2020-01-01T10:00:00Z', collected('client-assignments', 'legitimate-interest')],
      ['2021-01-01T10:00:00Z', hold('h1', '2026-01-01T00:00:00Z')],
    )
      .asOf('2027-06-01T00:00:00Z')
      .then(['retention-respected']);
  });

  it('passes a person erased in full, however long ago their last use', () => {
    const confirmations = allAcknowledgements(['contact']).map((e): [string, SubjectEvent] => [
      '2020-02-02T10:00:00Z',
      e,
    ]);
    given(
      ['2020-01-01T10:00:00Z', collected('client-assignments', 'legitimate-interest')],
      ['2020-02-01T10:00:00Z', erased(['contact'])],
      ...confirmations,
    )
      .asOf('2027-06-01T00:00:00Z')
      .then([]);
  });
});

/** Every system the default policy names for these categories acknowledging, as one event each. */
function allAcknowledgements(categories: string[]): SubjectEvent[] {
  const systems = new Set(categories.flatMap((c) => downstream.byCategory[c] ?? []));
  return [...systems].map(acknowledged);
}

describe('erasures-acknowledged', () => {
  const erasedOn = '2027-01-01T10:00:00Z';

  it('passes before the 30 days, and after them once every processor of the categories has confirmed', () => {
    given([erasedOn, erased(['contact'])])
      .asOf('2027-01-31T09:59:59Z')
      .then([]);
    const confirmations = allAcknowledgements(['contact']).map((e): [string, SubjectEvent] => [
      '2027-01-10T00:00:00Z',
      e,
    ]);
    given([erasedOn, erased(['contact'])], ...confirmations)
      .asOf('2027-06-01T00:00:00Z')
      .then([]);
  });

  it('fails an erasure older than 30 days that a processor of its categories has not confirmed', () => {
    const { facts } = given(
      [erasedOn, erased(['assessment'])],
      ['2027-01-05T00:00:00Z', acknowledged('Protekt IT')],
      ['2027-01-05T00:00:00Z', acknowledged('microsoft')],
      ['2027-01-05T00:00:00Z', acknowledged('Invenias')],
    );
    expect(missingAcknowledgements(facts.erasures[0]!, downstream)).toEqual(['assessio']);
    given([erasedOn, erased(['assessment'])])
      .asOf('2027-01-31T10:00:01Z')
      .then(['erasures-acknowledged']);
  });

  it('asks a declared recipient it was disclosed to; an acknowledgement before the erasure counts for nothing', () => {
    const withRecipient = { ...downstream, recipients: ['client-a'] };
    const { facts } = given(
      ['2026-12-01T10:00:00Z', disclosed('Client A')],
      ['2026-12-02T10:00:00Z', acknowledged('Protekt IT')],
      [erasedOn, erased(['contact'])],
    );
    const contactProcessors = ['assessio', 'invenias', 'microsoft', 'protekt-it', 'visma-easycruit', 'webcruiter'];
    expect(missingAcknowledgements(facts.erasures[0]!, downstream)).toEqual(contactProcessors);
    expect(missingAcknowledgements(facts.erasures[0]!, withRecipient)).toEqual(
      [...contactProcessors, 'client-a'].sort(),
    );
  });
});

describe('holdsUntil', () => {
  it('is the latest end of the holds in force, infinity for one without end, null without holds', () => {
    const facts = (holds: Record<string, string | null>): ComplianceFacts => ({ ...initialComplianceFacts, holds });
    expect(holdsUntil(facts({}))).toBeNull();
    expect(holdsUntil(facts({ a: '2027-01-01', b: '2028-01-01T00:00:00Z' }))).toBe('2028-01-01T00:00:00.000Z');
    expect(holdsUntil(facts({ a: '2027-01-01', b: null }))).toBe('infinity');
  });
});
