import type { SubjectEvent } from './subject.events';
import { subjectDecider, type RecordEnvelope } from './subject.decider';
import { specification } from '../testing/decider-specification';
import { defaultPolicy, envelope } from '../testing/envelopes';

const { given } = specification(subjectDecider(defaultPolicy()));
const subject = { id: 's1' };
const cmd = (e: RecordEnvelope['envelope'], recordedAt = '2027-02-01T10:00:00.000Z'): RecordEnvelope => ({
  envelope: e,
  recordedAt,
});
const existing: SubjectEvent = {
  type: 'consent.given',
  data: { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' },
  personal: {},
};
// Received 31 Jan 2027 in Oslo: one month later is 28 Feb, a Sunday, so it is due Monday 1 March.
const received: SubjectEvent = {
  type: 'request.received',
  data: {
    requestId: 'q1',
    kind: 'rectification',
    channel: 'email',
    receivedAt: '2027-01-31T09:00:00.000Z',
    dueDate: '2027-03-01',
  },
  personal: {},
};

describe('a data-subject request', () => {
  it('is received with its due date as the law counts it, from the Oslo date of receipt', () => {
    // 23:30 UTC on 30 January is already 31 January in Oslo.
    const e = envelope(
      'request.received',
      { kind: 'objection', channel: 'letter' },
      { subject, occurredAt: '2027-01-30T23:30:00Z' },
    );
    given([existing])
      .when(cmd(e))
      .then([
        {
          type: 'request.received',
          data: {
            requestId: e.id,
            kind: 'objection',
            channel: 'letter',
            receivedAt: '2027-01-30T23:30:00.000Z',
            dueDate: '2027-03-01',
          },
          personal: {},
        },
      ]);
  });

  it('records identity verification of an open request', () => {
    const e = envelope('request.identity-verified', { requestId: 'q1', method: 'bankid' }, { subject });
    given([existing, received])
      .when(cmd(e))
      .then([{ type: 'request.identity-verified', data: { requestId: 'q1', method: 'bankid' }, personal: {} }]);
  });

  it('is extended from the date of receipt, with the reason sealed', () => {
    const e = envelope('request.extended', { requestId: 'q1', months: 2, reason: 'many requests' }, { subject });
    given([existing, received])
      .when(cmd(e, '2027-03-01T20:00:00.000Z'))
      .then([
        {
          type: 'request.extended',
          data: { requestId: 'q1', months: 2, extendedMonths: 2, dueDate: '2027-04-30' },
          personal: { reason: 'many requests' },
        },
      ]);
  });

  it('may not be extended after its first due date', () => {
    const e = envelope('request.extended', { requestId: 'q1', months: 1, reason: 'late' }, { subject });
    given([existing, received]).when(cmd(e, '2027-03-02T08:00:00.000Z')).thenThrows('EXTENSION_NOT_ALLOWED');
  });

  it('may not be extended by more than two months in all', () => {
    const extended: SubjectEvent = {
      type: 'request.extended',
      data: { requestId: 'q1', months: 1, extendedMonths: 1, dueDate: '2027-03-31' },
      personal: { reason: 'complex' },
    };
    const e = envelope('request.extended', { requestId: 'q1', months: 2, reason: 'more' }, { subject });
    given([existing, received, extended]).when(cmd(e)).thenThrows('EXTENSION_NOT_ALLOWED');
  });

  it('is answered on time up to the end of its due date', () => {
    const e = envelope(
      'request.answered',
      { requestId: 'q1', outcome: 'partially-fulfilled', reason: 'some kept under law' },
      { subject, occurredAt: '2027-03-01T22:59:00Z' },
    );
    given([existing, received])
      .when(cmd(e))
      .then([
        {
          type: 'request.answered',
          data: {
            requestId: 'q1',
            outcome: 'partially-fulfilled',
            answeredAt: '2027-03-01T22:59:00.000Z',
            onTime: true,
          },
          personal: { reason: 'some kept under law' },
        },
      ]);
  });

  it('is late when answered after its due date ended in Oslo', () => {
    const e = envelope(
      'request.answered',
      { requestId: 'q1', outcome: 'fulfilled' },
      { subject, occurredAt: '2027-03-01T23:00:00Z' },
    );
    given([existing, received])
      .when(cmd(e))
      .then([
        {
          type: 'request.answered',
          data: { requestId: 'q1', outcome: 'fulfilled', answeredAt: '2027-03-01T23:00:00.000Z', onTime: false },
          personal: {},
        },
      ]);
  });

  it.each([
    ['request.answered', { requestId: 'q9', outcome: 'fulfilled' }],
    ['request.extended', { requestId: 'q9', months: 1, reason: 'x' }],
    ['request.identity-verified', { requestId: 'q9', method: 'bankid' }],
  ] as const)('%s of a request that is not open is NO_SUCH_REQUEST', (type, data) => {
    given([existing])
      .when(cmd(envelope(type, data as never, { subject })))
      .thenThrows('NO_SUCH_REQUEST');
  });

  it('cannot be answered twice', () => {
    const answered: SubjectEvent = {
      type: 'request.answered',
      data: { requestId: 'q1', outcome: 'fulfilled', answeredAt: '2027-02-01T10:00:00.000Z', onTime: true },
      personal: {},
    };
    const e = envelope('request.answered', { requestId: 'q1', outcome: 'refused' }, { subject });
    given([existing, received, answered]).when(cmd(e)).thenThrows('NO_SUCH_REQUEST');
  });

  it('is opened by access.requested, which a request.answered may answer', () => {
    const access: SubjectEvent = {
      type: 'access.requested',
      data: { requestId: 'a1', receivedAt: '2027-04-17T09:00:00.000Z', dueDate: '2027-05-18' },
      personal: {},
    };
    const e = envelope(
      'request.answered',
      { requestId: 'a1', outcome: 'fulfilled' },
      { subject, occurredAt: '2027-05-18T12:00:00Z' },
    );
    given([existing, access])
      .when(cmd(e))
      .then([
        {
          type: 'request.answered',
          data: { requestId: 'a1', outcome: 'fulfilled', answeredAt: '2027-05-18T12:00:00.000Z', onTime: true },
          personal: {},
        },
      ]);
  });

  it('recorded before the register (a due instant) can still be extended from its due date', () => {
    const legacy: SubjectEvent = {
      type: 'access.requested',
      data: { requestId: 'a0', dueAt: '2027-02-15T10:00:00.000Z' },
      personal: {},
    };
    const e = envelope('request.extended', { requestId: 'a0', months: 1, reason: 'complex' }, { subject });
    given([existing, legacy])
      .when(cmd(e))
      .then([
        {
          type: 'request.extended',
          data: { requestId: 'a0', months: 1, extendedMonths: 1, dueDate: '2027-03-15' },
          personal: { reason: 'complex' },
        },
      ]);
  });
});

describe('consent proof', () => {
  it('refuses consent under a policy version the policy does not list', () => {
    const e = envelope(
      'consent.given',
      { purpose: 'marketing', policyVersion: '2099-01', channel: 'web' },
      { subject },
    );
    given([existing]).when(cmd(e)).thenThrows('UNKNOWN_POLICY_VERSION');
  });
});

const collected = (purpose: string, fields: string[], lawfulBasis: string): SubjectEvent => ({
  type: 'data.collected',
  data: { purpose, lawfulBasis, collectedFrom: 'subject', fields },
  personal: { values: Object.fromEntries(fields.map((f) => [f, 'v'])) },
});
const consent = (purpose: string): SubjectEvent => ({
  type: 'consent.given',
  data: { purpose, policyVersion: '2018-05', channel: 'web-form' },
  personal: {},
});
const hold = (holdId: string, until?: string): SubjectEvent => ({
  type: 'legal-hold.placed',
  data: until === undefined ? { holdId } : { holdId, until },
  personal: { reason: 'bokføringsloven' },
});

describe('when a purpose ends, its data goes', () => {
  const history = [
    consent('marketing'),
    collected('marketing', ['preferences.roles', 'contact.email'], 'consent'),
    collected('client-assignments', ['contact.email', 'work.position'], 'legitimate-interest'),
  ];
  const withdraw = envelope('consent.withdrawn', { purpose: 'marketing', channel: 'email' }, { subject });
  const withdrawn: SubjectEvent = {
    type: 'consent.withdrawn',
    data: { purpose: 'marketing', channel: 'email' },
    personal: {},
  };

  it('erases on withdrawal a category held only for the withdrawn purpose, and keeps one also held for another', () => {
    given(history)
      .when(cmd(withdraw))
      .then([
        withdrawn,
        {
          type: 'erasure.completed',
          data: {
            requestId: withdraw.id,
            scope: ['preferences'],
            reason: 'purpose-ended',
            categories: ['preferences'],
            fields: ['preferences.roles'],
          },
          personal: {},
        },
      ]);
  });

  it('is refused under a live legal hold', () => {
    given([...history, hold('h1')])
      .when(cmd(withdraw))
      .then([
        withdrawn,
        {
          type: 'erasure.refused',
          data: { requestId: withdraw.id, scope: ['preferences'], reason: 'purpose-ended', holdIds: ['h1'] },
          personal: {},
        },
      ]);
  });

  it('erases after an upheld objection leaves purposes for other categories', () => {
    const raised: SubjectEvent = {
      type: 'objection.raised',
      data: { objectionId: 'o1', purposes: ['client-assignments'] },
      personal: { grounds: 'new job' },
    };
    const e = envelope(
      'objection.resolved',
      { objectionId: 'o1', outcome: 'upheld', reason: 'grounds hold' },
      { subject },
    );
    given([...history, raised])
      .when(cmd(e))
      .then([
        {
          type: 'objection.resolved',
          data: { objectionId: 'o1', outcome: 'upheld', purposes: ['client-assignments'] },
          personal: { reason: 'grounds hold' },
        },
        {
          type: 'erasure.completed',
          data: {
            requestId: e.id,
            scope: ['work'],
            reason: 'purpose-ended',
            categories: ['work'],
            fields: ['work.position'],
          },
          personal: {},
        },
      ]);
  });

  it('erases nothing when every category still serves a live purpose', () => {
    const e = envelope('consent.withdrawn', { purpose: 'candidate-relationship', channel: 'email' }, { subject });
    given(history)
      .when(cmd(e))
      .then([
        { type: 'consent.withdrawn', data: { purpose: 'candidate-relationship', channel: 'email' }, personal: {} },
      ]);
  });
});

describe('a legal hold with an end', () => {
  const history = [collected('client-assignments', ['contact.email'], 'legitimate-interest')];
  const request = envelope('erasure.requested', { scope: 'all', reason: 'retention-expired' }, { subject });
  const requested: SubjectEvent = {
    type: 'erasure.requested',
    data: {
      requestId: request.id,
      scope: 'all',
      reason: 'retention-expired',
      receivedAt: '2026-11-20T10:15:00.000Z',
      dueDate: '2026-12-21',
    },
    personal: {},
  };

  it('no longer blocks erasure once its until has passed', () => {
    given([...history, hold('h1', '2027-01-31T23:00:00.000Z')])
      .when(cmd(request, '2027-02-01T10:00:00.000Z'))
      .then([
        requested,
        {
          type: 'erasure.completed',
          data: {
            requestId: request.id,
            scope: 'all',
            reason: 'retention-expired',
            categories: ['contact'],
            fields: ['contact.email'],
          },
          personal: {},
        },
      ]);
  });

  it('blocks erasure while its until is still ahead', () => {
    given([...history, hold('h1', '2027-02-28T23:00:00.000Z'), hold('h2', '2020-01-01T00:00:00.000Z')])
      .when(cmd(request, '2027-02-01T10:00:00.000Z'))
      .then([
        requested,
        {
          type: 'erasure.refused',
          data: { requestId: request.id, scope: 'all', reason: 'retention-expired', holdIds: ['h1'] },
          personal: {},
        },
      ]);
  });
});
