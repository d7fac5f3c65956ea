import type { SubjectEvent } from '#ledger/domain';
import { documentSpecification } from '../testing/document-specification';
import { subjectHistory } from '../testing/subject-history';
import { COMPLIANCE_TABLE, complianceDocuments, type ComplianceRow } from './compliance.projection';

// One person's compliance row after their recorded history: the facts, and the columns the checks count on.
const projection = complianceDocuments(60);
const { given } = documentSpecification(projection);
const subjectId = '6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b';

const history = subjectHistory(subjectId);

const use: SubjectEvent = {
  type: 'data.used',
  data: { purpose: 'marketing', lawfulBasis: 'consent', fields: [] },
  personal: {},
};
const withdrawn: SubjectEvent = {
  type: 'consent.withdrawn',
  data: { purpose: 'marketing', channel: 'web' },
  personal: {},
};
const hold: SubjectEvent = {
  type: 'legal-hold.placed',
  data: { holdId: 'h1' },
  personal: { reason: 'bokføringsloven' },
};
const received: SubjectEvent = {
  type: 'request.received',
  data: {
    requestId: 'q1',
    kind: 'access',
    channel: 'email',
    receivedAt: '2027-01-04T09:00:00Z',
    dueDate: '2027-02-04',
  },
  personal: {},
};

describe('the compliance read model', () => {
  it('folds a use after withdrawal, an open request, a hold and the retention date, and no value', () => {
    const events = history(
      ['2027-01-01T10:00:00.000Z', use],
      ['2027-01-02T10:00:00.000Z', withdrawn],
      ['2027-01-03T10:00:00.000Z', use],
      ['2027-01-04T09:00:00.000Z', received],
      ['2027-01-05T10:00:00.000Z', hold],
    );
    const expected: ComplianceRow = {
      subjectId,
      withdrawnPurposes: ['marketing'],
      usesAfterWithdrawal: 1,
      restricted: false,
      openObjections: {},
      processedWhileRestricted: 0,
      openRequests: { q1: '2027-02-04' },
      lateAnswers: 0,
      lastActivityAt: '2027-01-03T10:00:00.000Z',
      holds: { h1: null },
      erased: false,
      disclosedTo: [],
      erasures: [],
      retentionDueAt: '2032-01-03T10:00:00.000Z',
      version: 5,
    };
    given(events).then(expected);
    expect(JSON.stringify(expected)).not.toContain('bokføringsloven');
    const columns = Object.fromEntries(COMPLIANCE_TABLE.columns.map((c) => [c.name, c.value(expected)]));
    expect(columns).toEqual({
      uses_after_withdrawal: 1,
      processed_while_restricted: 0,
      late_answers: 0,
      earliest_open_due: '2027-02-04',
      retention_due_at: '2032-01-03T10:00:00.000Z',
      holds_until: 'infinity',
      first_erasure_at: null,
    });
  });

  it('reads every subject event and nothing of other streams', () => {
    const [event] = history(['2027-01-01T10:00:00.000Z', use]);
    expect(projection.canHandle(event!)).toBe(true);
    expect(projection.canHandle({ ...event!, streamId: 'breach-1' })).toBe(false);
  });
});
