import type { SubjectEvent } from '#ledger/domain';
import { documentSpecification } from '../testing/document-specification';
import { subjectHistory } from '../testing/subject-history';
import { subjectStateDocuments } from './subject-state.projection';
import { emptyStateView, type RequestView, type SubjectStateView } from './subject-state.view';

// What a person's state shows after their recorded history, with the default policy's five
// years of retention after the last real use.
const { given } = documentSpecification(subjectStateDocuments(60));
const subjectId = '6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b';

const history = subjectHistory(subjectId);
const state = (shown: Partial<SubjectStateView>): SubjectStateView => ({ ...emptyStateView(subjectId), ...shown });

const collected = (purpose: string, values: Record<string, string>, linkedRef?: string): SubjectEvent => ({
  type: 'data.collected',
  data: { purpose, lawfulBasis: 'legitimate-interest', collectedFrom: 'processor', fields: Object.keys(values) },
  personal: linkedRef ? { values, linkedRef } : { values },
});
const corrected = (values: Record<string, string>): SubjectEvent => ({
  type: 'data.corrected',
  data: { fields: Object.keys(values) },
  personal: { values },
});
const used = (purpose: string): SubjectEvent => ({
  type: 'data.used',
  data: { purpose, lawfulBasis: 'legitimate-interest', fields: [] },
  personal: {},
});
const consentGiven = (purpose: string): SubjectEvent => ({
  type: 'consent.given',
  data: { purpose, policyVersion: '2018-05', channel: 'web-form' },
  personal: {},
});
const consentWithdrawn = (purpose: string): SubjectEvent => ({
  type: 'consent.withdrawn',
  data: { purpose, channel: 'email' },
  personal: {},
});
const holdPlaced = (holdId: string, reason: string, until?: string): SubjectEvent => ({
  type: 'legal-hold.placed',
  data: until ? { holdId, until } : { holdId },
  personal: { reason },
});
const erased = (scope: 'all' | string[], categories: string[]): SubjectEvent => ({
  type: 'erasure.completed',
  data: { requestId: 'r1', scope, reason: 'subject-request', categories, fields: [] },
  personal: {},
});

const email = (value: string, at: string, updatedAt = at) => ({
  value,
  purpose: 'client-assignments',
  lawfulBasis: 'legitimate-interest',
  source: 'webcruiter',
  collectedAt: `${at}T09:00:00.000Z`,
  updatedAt: `${updatedAt}T09:00:00.000Z`,
});

describe('collection and correction', () => {
  it('shows what was collected, from where and for what, and the ref that names the person', () => {
    given(
      history([
        '2026-01-15',
        collected('client-assignments', { 'contact.email': 'ola@example.no' }, 'webcruiter:candidate:4711'),
      ]),
    ).then(
      state({
        refs: ['webcruiter:candidate:4711'],
        data: { 'contact.email': email('ola@example.no', '2026-01-15') },
        lastActivityAt: '2026-01-15T09:00:00.000Z',
        retentionDueAt: '2031-01-15T09:00:00.000Z',
        version: 1,
      }),
    );
  });

  it('shows the corrected value, keeping when and why it was first collected', () => {
    given(
      history(
        ['2026-01-15', collected('client-assignments', { 'contact.email': 'ola@example.no' })],
        ['2026-03-02', corrected({ 'contact.email': 'ola.nordmann@example.no' })],
      ),
    ).then(
      state({
        data: { 'contact.email': email('ola.nordmann@example.no', '2026-01-15', '2026-03-02') },
        lastActivityAt: '2026-03-02T09:00:00.000Z',
        retentionDueAt: '2031-03-02T09:00:00.000Z',
        version: 2,
      }),
    );
  });
});

describe('consent and objection', () => {
  it('shows a withdrawn consent as withdrawn, under the policy version that was consented to', () => {
    given(history(['2026-01-15', consentGiven('marketing')], ['2026-02-01', consentWithdrawn('marketing')])).then(
      state({
        consents: {
          marketing: {
            status: 'withdrawn',
            policyVersion: '2018-05',
            channel: 'email',
            at: '2026-02-01T09:00:00.000Z',
          },
        },
        lastActivityAt: '2026-01-15T09:00:00.000Z',
        retentionDueAt: '2031-01-15T09:00:00.000Z',
        version: 2,
      }),
    );
  });

  it('shows an objection open while it is, and upheld once decided', () => {
    const raised: SubjectEvent = {
      type: 'objection.raised',
      data: { objectionId: 'o1', purposes: ['marketing'] },
      personal: { grounds: 'ny jobb' },
    };
    const upheld: SubjectEvent = {
      type: 'objection.resolved',
      data: { objectionId: 'o1', outcome: 'upheld', purposes: ['marketing'] },
      personal: { reason: 'grounds accepted' },
    };
    const open = { id: 'o1', purposes: ['marketing'], raisedAt: '2026-01-15T09:00:00.000Z' };
    const dates = { lastActivityAt: '2026-01-15T09:00:00.000Z', retentionDueAt: '2031-01-15T09:00:00.000Z' };
    given(history(['2026-01-15', raised])).then(
      state({ objections: [{ ...open, status: 'open' }], ...dates, version: 1 }),
    );
    given(history(['2026-01-15', raised], ['2026-01-20', upheld])).then(
      state({ objections: [{ ...open, status: 'upheld' }], ...dates, version: 2 }),
    );
  });
});

describe('restriction and legal holds', () => {
  const placed: SubjectEvent = { type: 'restriction.placed', data: {}, personal: { reason: 'accuracy contested' } };
  const lifted: SubjectEvent = { type: 'restriction.lifted', data: {}, personal: { reason: 'verified' } };
  const dates = { lastActivityAt: '2026-01-15T09:00:00.000Z', retentionDueAt: '2031-01-15T09:00:00.000Z' };

  it('shows the person restricted, and why, until the restriction is lifted', () => {
    given(history(['2026-01-15', placed])).then(
      state({
        status: 'restricted',
        restriction: { reason: 'accuracy contested', since: '2026-01-15T09:00:00.000Z' },
        ...dates,
        version: 1,
      }),
    );
    given(history(['2026-01-15', placed], ['2026-02-01', lifted])).then(
      state({ status: 'active', restriction: null, ...dates, version: 2 }),
    );
  });

  it('shows the holds still in force, with their reason and end', () => {
    const liftedHold: SubjectEvent = {
      type: 'legal-hold.lifted',
      data: { holdIds: ['h1'] },
      personal: { reason: 'case closed' },
    };
    given(
      history(
        ['2026-01-15', holdPlaced('h1', 'tvist')],
        ['2026-01-16', holdPlaced('h2', 'bokføringsloven § 13', '2031-12-31')],
        ['2026-02-01', liftedHold],
      ),
    ).then(
      state({ legalHolds: [{ id: 'h2', reason: 'bokføringsloven § 13', until: '2031-12-31' }], ...dates, version: 3 }),
    );
  });
});

describe('erasure', () => {
  it('purges every value, ref and hold, keeps consents and objections as proof, and has no retention date left', () => {
    given(
      history(
        [
          '2026-01-15',
          collected('client-assignments', { 'contact.email': 'ola@example.no' }, 'webcruiter:candidate:4711'),
        ],
        ['2026-01-16', consentGiven('marketing')],
        ['2026-01-17', holdPlaced('h1', 'tvist')],
        [
          '2026-01-18',
          {
            type: 'objection.raised',
            data: { objectionId: 'o1', purposes: ['marketing'] },
            personal: { grounds: 'ny jobb' },
          },
        ],
        ['2026-06-01', erased('all', ['contact'])],
      ),
    ).then(
      state({
        status: 'erased',
        consents: {
          marketing: { status: 'given', policyVersion: '2018-05', channel: 'web-form', at: '2026-01-16T09:00:00.000Z' },
        },
        objections: [{ id: 'o1', purposes: ['marketing'], status: 'open', raisedAt: '2026-01-18T09:00:00.000Z' }],
        lastActivityAt: '2026-01-15T09:00:00.000Z',
        retentionDueAt: null,
        erasedAt: '2026-06-01T09:00:01.000Z',
        version: 5,
      }),
    );
  });

  it('of some categories removes only their fields', () => {
    given(
      history(
        [
          '2026-01-15',
          collected('client-assignments', { 'contact.email': 'ola@example.no', 'work.employer': 'Equinor' }),
        ],
        ['2026-06-01', erased(['work'], ['work'])],
      ),
    ).then(
      state({
        data: { 'contact.email': email('ola@example.no', '2026-01-15') },
        lastActivityAt: '2026-01-15T09:00:00.000Z',
        retentionDueAt: '2031-01-15T09:00:00.000Z',
        version: 2,
      }),
    );
  });
});

describe('retention', () => {
  it('is due five years after the last real use; a request for access is no use of the data', () => {
    const access: SubjectEvent = {
      type: 'access.requested',
      data: { requestId: 'r1', dueAt: '2028-07-01T09:00:00.000Z' },
      personal: {},
    };
    given(
      history(
        ['2026-01-15', collected('client-assignments', { 'contact.email': 'ola@example.no' })],
        ['2028-05-31', used('client-assignments')],
        ['2028-06-01', access],
      ),
    ).then(
      state({
        data: { 'contact.email': email('ola@example.no', '2026-01-15') },
        lastActivityAt: '2028-05-31T09:00:00.000Z',
        retentionDueAt: '2033-05-31T09:00:00.000Z',
        // A request recorded before the register (an instant `dueAt`) still shows, due that Oslo day.
        requests: [openRequest('r1', 'access', '2028-06-01T09:00:00.000Z', '2028-07-01')],
        version: 3,
      }),
    );
  });
});

const openRequest = (
  requestId: string,
  kind: RequestView['kind'],
  receivedAt: string,
  dueDate: string,
): RequestView => ({
  requestId,
  kind,
  receivedAt,
  dueDate,
  status: 'open',
  extendedMonths: 0,
  answeredAt: null,
  outcome: null,
  onTime: null,
});

describe('requests', () => {
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

  it('shows a received request as open with its due date', () => {
    given(history(['2027-01-31', received])).then(
      state({
        lastActivityAt: '2027-01-31T09:00:00.000Z',
        retentionDueAt: '2032-01-31T09:00:00.000Z',
        requests: [openRequest('q1', 'rectification', '2027-01-31T09:00:00.000Z', '2027-03-01')],
        version: 1,
      }),
    );
  });

  it('moves the due date on an extension and shows the answer, late or not', () => {
    const extended: SubjectEvent = {
      type: 'request.extended',
      data: { requestId: 'q1', months: 2, extendedMonths: 2, dueDate: '2027-04-30' },
      personal: { reason: 'many requests' },
    };
    const answered: SubjectEvent = {
      type: 'request.answered',
      data: { requestId: 'q1', outcome: 'fulfilled', answeredAt: '2027-05-03T09:00:00.000Z', onTime: false },
      personal: {},
    };
    given(history(['2027-01-31', received], ['2027-02-10', extended], ['2027-05-03', answered])).then(
      state({
        lastActivityAt: '2027-01-31T09:00:00.000Z',
        retentionDueAt: '2032-01-31T09:00:00.000Z',
        requests: [
          {
            ...openRequest('q1', 'rectification', '2027-01-31T09:00:00.000Z', '2027-04-30'),
            extendedMonths: 2,
            status: 'answered',
            answeredAt: '2027-05-03T09:00:00.000Z',
            outcome: 'fulfilled',
            onTime: false,
          },
        ],
        version: 3,
      }),
    );
  });

  it('opens an erasure request only for a subject request', () => {
    const requested = (requestId: string, reason: 'subject-request' | 'retention-expired'): SubjectEvent => ({
      type: 'erasure.requested',
      data: { requestId, scope: ['work'], reason, receivedAt: '2027-01-31T09:00:00.000Z', dueDate: '2027-03-01' },
      personal: {},
    });
    given(
      history(['2027-01-31', requested('e1', 'subject-request')], ['2027-01-31', requested('e2', 'retention-expired')]),
    ).then(
      state({
        lastActivityAt: '2027-01-31T09:00:00.000Z',
        retentionDueAt: '2032-01-31T09:00:00.000Z',
        requests: [openRequest('e1', 'erasure', '2027-01-31T09:00:00.000Z', '2027-03-01')],
        version: 2,
      }),
    );
  });
});
