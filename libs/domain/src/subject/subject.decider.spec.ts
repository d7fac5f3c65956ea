import type { SubjectEvent } from './subject.events';
import { subjectDecider, type RecordEnvelope } from './subject.decider';
import { initialSubjectState } from './subject.state';
import { specification } from '../testing/decider-specification';
import { defaultPolicy, envelope } from '../testing/envelopes';

const { given } = specification(subjectDecider(defaultPolicy()));
const at = '2026-11-20T10:16:00.000Z';
const cmd = (e: RecordEnvelope['envelope'], ref?: string): RecordEnvelope =>
  ref === undefined ? { envelope: e, recordedAt: at } : { envelope: e, recordedAt: at, ref };

// Received 20 Nov 2026 (Oslo): one month later is Sunday 20 Dec, so the request is due Monday 21 Dec.
const received = { receivedAt: '2026-11-20T10:15:00.000Z', dueDate: '2026-12-21' };
// Recorded before the register: a due instant, still readable.
const linked: SubjectEvent = {
  type: 'access.requested',
  data: { requestId: 'r0', dueAt: '2026-12-20T10:16:00.000Z', linkedRefSystem: 'webcruiter' },
  personal: { linkedRef: 'webcruiter:candidate:4711' },
};
const collected = (
  purpose: string,
  fields: Record<string, string>,
  lawfulBasis = 'legitimate-interest',
): SubjectEvent => ({
  type: 'data.collected',
  data: { purpose, lawfulBasis, collectedFrom: 'processor', fields: Object.keys(fields) },
  personal: { values: fields },
});
const consent = (purpose: string, policyVersion = '2018-05'): SubjectEvent => ({
  type: 'consent.given',
  data: { purpose, policyVersion, channel: 'web-form' },
  personal: {},
});
const objection = (objectionId: string, purposes: string[]): SubjectEvent => ({
  type: 'objection.raised',
  data: { objectionId, purposes },
  personal: { grounds: 'I have a new job' },
});
const hold = (holdId: string): SubjectEvent => ({
  type: 'legal-hold.placed',
  data: { holdId },
  personal: { reason: 'bokføringsloven § 13' },
});

describe('a new subject', () => {
  it('links the ref on its first event', () => {
    const e = envelope('access.requested', { channel: 'email' });
    given([])
      .when(cmd(e, 'webcruiter:candidate:4711'))
      .then([
        {
          type: 'access.requested',
          data: { requestId: e.id, channel: 'email', ...received, linkedRefSystem: 'webcruiter' },
          personal: { linkedRef: 'webcruiter:candidate:4711' },
        },
      ]);
  });

  it('links a ref only once', () => {
    given([linked])
      .when(cmd(envelope('consent.withdrawn', { purpose: 'marketing', channel: 'email' }), 'webcruiter:candidate:4711'))
      .then([{ type: 'consent.withdrawn', data: { purpose: 'marketing', channel: 'email' }, personal: {} }]);
  });

  it('cannot be addressed by an id the ledger never gave out', () => {
    given([])
      .when(cmd(envelope('access.requested', {}, { subject: { id: 'x' } })))
      .thenThrows('UNKNOWN_SUBJECT');
  });
});

describe('collection needs a lawful basis at that moment', () => {
  const email = { 'contact.email': 'ola@example.no' };

  it('records collection on legitimate interest with the basis taken from the policy', () => {
    given([linked])
      .when(
        cmd(envelope('data.collected', { purpose: 'client-assignments', fields: email, collectedFrom: 'processor' })),
      )
      .then([collected('client-assignments', email)]);
  });

  it('rejects a consent-based purpose without consent', () => {
    given([linked])
      .when(cmd(envelope('data.collected', { purpose: 'marketing', fields: email, collectedFrom: 'subject' })))
      .thenThrows('CONSENT_REQUIRED');
  });

  it('accepts a consent-based purpose with active consent', () => {
    given([linked, consent('marketing')])
      .when(cmd(envelope('data.collected', { purpose: 'marketing', fields: email, collectedFrom: 'processor' })))
      .then([collected('marketing', email, 'consent')]);
  });

  it('rejects collection after consent was withdrawn', () => {
    const withdrawn: SubjectEvent = {
      type: 'consent.withdrawn',
      data: { purpose: 'marketing', channel: 'email' },
      personal: {},
    };
    given([linked, consent('marketing'), withdrawn])
      .when(cmd(envelope('data.collected', { purpose: 'marketing', fields: email, collectedFrom: 'subject' })))
      .thenThrows('CONSENT_REQUIRED');
  });

  it('rejects consent given under a policy version older than the purpose', () => {
    given([linked, consent('marketing', '2017-01')])
      .when(cmd(envelope('data.collected', { purpose: 'marketing', fields: email, collectedFrom: 'subject' })))
      .thenThrows('CONSENT_REQUIRED');
  });

  it('rejects a lawful basis that contradicts the policy', () => {
    given([linked])
      .when(
        cmd(
          envelope('data.collected', {
            purpose: 'client-assignments',
            fields: email,
            collectedFrom: 'subject',
            lawfulBasis: 'consent',
          }),
        ),
      )
      .thenThrows('LAWFUL_BASIS_MISMATCH');
  });

  it('rejects an unknown purpose and an unknown category', () => {
    given([linked])
      .when(cmd(envelope('data.collected', { purpose: 'resale', fields: email, collectedFrom: 'subject' })))
      .thenThrows('UNKNOWN_PURPOSE');
    given([linked])
      .when(
        cmd(
          envelope('data.collected', {
            purpose: 'security',
            fields: { 'health.diagnosis': 'x' },
            collectedFrom: 'subject',
          }),
        ),
      )
      .thenThrows('UNKNOWN_CATEGORY');
  });
});

describe('objections', () => {
  const use = () => envelope('data.used', { purpose: 'client-assignments', fields: ['contact.email'] });

  it('keeps the grounds with the objection', () => {
    const e = envelope('objection.raised', { purposes: ['client-assignments'], grounds: 'I have a new job' });
    given([linked])
      .when(cmd(e))
      .then([objection(e.id, ['client-assignments'])]);
  });

  it('restricts the purposes while open', () => {
    given([linked, objection('o1', ['client-assignments'])])
      .when(cmd(use()))
      .thenThrows('RESTRICTED');
  });

  it('leaves other purposes alone', () => {
    given([linked, objection('o1', ['marketing'])])
      .when(cmd(envelope('data.used', { purpose: 'security' })))
      .then([
        {
          type: 'data.used',
          data: { purpose: 'security', lawfulBasis: 'legitimate-interest', fields: [] },
          personal: {},
        },
      ]);
  });

  it('ends the purposes once upheld', () => {
    const upheld: SubjectEvent = {
      type: 'objection.resolved',
      data: { objectionId: 'o1', outcome: 'upheld', purposes: ['client-assignments'] },
      personal: { reason: 'grounds accepted' },
    };
    given([linked, objection('o1', ['client-assignments']), upheld])
      .when(cmd(use()))
      .thenThrows('OBJECTION_UPHELD');
  });

  it('lets processing resume when rejected', () => {
    const rejected: SubjectEvent = {
      type: 'objection.resolved',
      data: { objectionId: 'o1', outcome: 'rejected', purposes: ['client-assignments'] },
      personal: { reason: 'compelling grounds' },
    };
    given([linked, objection('o1', ['client-assignments']), rejected])
      .when(cmd(use()))
      .then([
        {
          type: 'data.used',
          data: { purpose: 'client-assignments', lawfulBasis: 'legitimate-interest', fields: ['contact.email'] },
          personal: {},
        },
      ]);
  });

  it('cannot resolve an objection that is not open', () => {
    given([linked])
      .when(cmd(envelope('objection.resolved', { objectionId: 'nope', outcome: 'upheld', reason: 'r' })))
      .thenThrows('NO_SUCH_OBJECTION');
  });

  it('makes erasure due when the upheld objection leaves no purpose', () => {
    const e = envelope('objection.resolved', { objectionId: 'o1', outcome: 'upheld', reason: 'accepted' });
    given([linked, collected('client-assignments', { 'contact.email': 'x' }), objection('o1', ['client-assignments'])])
      .when(cmd(e))
      .then([
        {
          type: 'objection.resolved',
          data: { objectionId: 'o1', outcome: 'upheld', purposes: ['client-assignments'] },
          personal: { reason: 'accepted' },
        },
        {
          type: 'erasure.requested',
          data: { requestId: e.id, scope: 'all', reason: 'objection-upheld', ...received },
          personal: {},
        },
        {
          type: 'erasure.completed',
          data: {
            requestId: e.id,
            scope: 'all',
            reason: 'objection-upheld',
            categories: ['contact'],
            fields: ['contact.email'],
          },
          personal: {},
        },
      ]);
  });
});

describe('restriction (Art. 18)', () => {
  const restricted: SubjectEvent = { type: 'restriction.placed', data: {}, personal: { reason: 'accuracy contested' } };

  it('stops every use while placed, and not after it is lifted', () => {
    const use = () => envelope('data.used', { purpose: 'security' });
    given([linked, restricted]).when(cmd(use())).thenThrows('RESTRICTED');
    const lifted: SubjectEvent = { type: 'restriction.lifted', data: {}, personal: { reason: 'verified' } };
    given([linked, restricted, lifted])
      .when(cmd(use()))
      .then([
        {
          type: 'data.used',
          data: { purpose: 'security', lawfulBasis: 'legitimate-interest', fields: [] },
          personal: {},
        },
      ]);
  });

  it('still accepts a correction, which is what often ends a restriction', () => {
    given([linked, restricted])
      .when(cmd(envelope('data.corrected', { fields: { 'contact.phone': '+47 1' }, reason: 'typo' })))
      .then([
        {
          type: 'data.corrected',
          data: { fields: ['contact.phone'] },
          personal: { values: { 'contact.phone': '+47 1' }, reason: 'typo' },
        },
      ]);
  });

  it('applies to disclosure as well', () => {
    given([linked, restricted])
      .when(
        cmd(
          envelope('data.disclosed', {
            recipient: 'Assessio',
            purpose: 'client-assignments',
            fields: ['contact.email'],
          }),
        ),
      )
      .thenThrows('RESTRICTED');
  });
});

describe('erasure', () => {
  const history = [linked, collected('client-assignments', { 'contact.email': 'x', 'work.position': 'CFO' })];

  it('erases everything and keeps the proof of what was there', () => {
    const e = envelope('erasure.requested', { scope: 'all', reason: 'subject-request' });
    given(history)
      .when(cmd(e))
      .then([
        {
          type: 'erasure.requested',
          data: { requestId: e.id, scope: 'all', reason: 'subject-request', ...received },
          personal: {},
        },
        {
          type: 'erasure.completed',
          data: {
            requestId: e.id,
            scope: 'all',
            reason: 'subject-request',
            categories: ['contact', 'work'],
            fields: ['contact.email', 'work.position'],
          },
          personal: {},
        },
        {
          type: 'request.answered',
          data: { requestId: e.id, outcome: 'fulfilled', answeredAt: '2026-11-20T10:15:00.000Z', onTime: true },
          personal: {},
        },
      ]);
  });

  it('erases one category and leaves the rest', () => {
    const e = envelope('erasure.requested', { scope: ['work'], reason: 'purpose-ended' });
    given(history)
      .when(cmd(e))
      .then([
        {
          type: 'erasure.requested',
          data: { requestId: e.id, scope: ['work'], reason: 'purpose-ended', ...received },
          personal: {},
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

  it('rejects an unknown category in the scope', () => {
    given(history)
      .when(cmd(envelope('erasure.requested', { scope: ['health'], reason: 'subject-request' })))
      .thenThrows('UNKNOWN_CATEGORY');
  });

  it('is refused under a legal hold, with the hold as the reason', () => {
    const e = envelope('erasure.requested', { scope: 'all', reason: 'subject-request' });
    given([...history, hold('h1')])
      .when(cmd(e))
      .then([
        {
          type: 'erasure.requested',
          data: { requestId: e.id, scope: 'all', reason: 'subject-request', ...received },
          personal: {},
        },
        {
          type: 'erasure.refused',
          data: { requestId: e.id, scope: 'all', reason: 'subject-request', holdIds: ['h1'] },
          personal: {},
        },
        {
          type: 'request.answered',
          data: { requestId: e.id, outcome: 'refused', answeredAt: '2026-11-20T10:15:00.000Z', onTime: true },
          personal: {},
        },
      ]);
  });

  it('runs the refused erasure when the last hold is lifted', () => {
    const refused: SubjectEvent = {
      type: 'erasure.refused',
      data: { requestId: 'r1', scope: 'all', reason: 'subject-request', holdIds: ['h1', 'h2'] },
      personal: {},
    };
    const liftOne = envelope('legal-hold.lifted', { reason: 'limitation period over', holdId: 'h1' });
    given([...history, hold('h1'), hold('h2'), refused])
      .when(cmd(liftOne))
      .then([{ type: 'legal-hold.lifted', data: { holdIds: ['h1'] }, personal: { reason: 'limitation period over' } }]);
    const liftAll = envelope('legal-hold.lifted', { reason: 'all orders ended' });
    given([...history, hold('h1'), hold('h2'), refused])
      .when(cmd(liftAll))
      .then([
        { type: 'legal-hold.lifted', data: { holdIds: ['h1', 'h2'] }, personal: { reason: 'all orders ended' } },
        {
          type: 'erasure.completed',
          data: {
            requestId: 'r1',
            scope: 'all',
            reason: 'subject-request',
            categories: ['contact', 'work'],
            fields: ['contact.email', 'work.position'],
          },
          personal: {},
        },
      ]);
  });

  it('cannot lift a hold that does not exist', () => {
    given(history)
      .when(cmd(envelope('legal-hold.lifted', { reason: 'r', holdId: 'nope' })))
      .thenThrows('NO_SUCH_HOLD');
  });

  it('closes the subject to everything but acknowledgements', () => {
    const erased: SubjectEvent = {
      type: 'erasure.completed',
      data: {
        requestId: 'r1',
        scope: 'all',
        reason: 'subject-request',
        categories: ['contact'],
        fields: ['contact.email'],
      },
      personal: {},
    };
    given([...history, erased])
      .when(cmd(envelope('consent.given', { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' })))
      .thenThrows('SUBJECT_ERASED');
    given([...history, erased])
      .when(cmd(envelope('erasure.acknowledged', { system: 'invenias' })))
      .then([{ type: 'erasure.acknowledged', data: { system: 'invenias' }, personal: {} }]);
  });
});

describe('withdrawal is as easy as giving', () => {
  it('records a withdrawal even when nothing was given', () => {
    given([linked])
      .when(cmd(envelope('consent.withdrawn', { purpose: 'marketing', channel: 'phone' })))
      .then([{ type: 'consent.withdrawn', data: { purpose: 'marketing', channel: 'phone' }, personal: {} }]);
  });

  it('keeps the evidence of consent apart from the metadata', () => {
    given([linked])
      .when(
        cmd(
          envelope('consent.given', {
            purpose: 'marketing',
            policyVersion: '2018-05',
            channel: 'web-form',
            evidence: 'form #12 ip 10.0.0.1',
          }),
        ),
      )
      .then([
        {
          type: 'consent.given',
          data: { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' },
          personal: { evidence: 'form #12 ip 10.0.0.1' },
        },
      ]);
  });
});

describe('the decision state', () => {
  const { evolve } = subjectDecider(defaultPolicy());
  const fold = (events: SubjectEvent[]) => events.reduce(evolve, initialSubjectState);

  it('knows each field and purpose once, in the order first collected', () => {
    const state = fold([
      collected('client-assignments', { 'contact.email': 'a', 'work.position': 'b' }),
      collected('client-assignments', { 'work.position': 'c', 'contact.phone': 'd' }),
      collected('talent-pool', { 'contact.email': 'e' }, 'consent'),
    ]);
    expect(state.fields).toEqual(['contact.email', 'work.position', 'contact.phone']);
    expect(state.collectedPurposes).toEqual(['client-assignments', 'talent-pool']);
  });

  it('is left as it was by a collection that adds no new field or purpose', () => {
    const before = fold([linked, collected('client-assignments', { 'contact.email': 'a' })]);
    expect(evolve(before, collected('client-assignments', { 'contact.email': 'b' }))).toBe(before);
  });
});
