import type { SubjectEvent } from '#ledger/domain';
import { documentSpecification } from '../testing/document-specification';
import { subjectHistory } from '../testing/subject-history';
import {
  REQUEST_REGISTER_TABLE,
  requestRegisterDocuments,
  type RegisterRequestRow,
} from './request-register.projection';

// The register's row of one request after its person's recorded history: no personal value.
const { given } = documentSpecification(requestRegisterDocuments);
const subjectId = '6f1d2c3b-4a59-4e8f-9a7b-0c1d2e3f4a5b';

const history = subjectHistory(subjectId);

const received = (requestId: string, dueDate: string): SubjectEvent => ({
  type: 'request.received',
  data: { requestId, kind: 'portability', channel: 'email', receivedAt: '2027-04-01T09:00:00.000Z', dueDate },
  personal: {},
});
const collected: SubjectEvent = {
  type: 'data.collected',
  data: {
    purpose: 'client-assignments',
    lawfulBasis: 'legitimate-interest',
    collectedFrom: 'subject',
    fields: ['x.y'],
  },
  personal: { values: { 'x.y': 'v' } },
};
const open = (requestId: string, dueDate: string) => ({
  requestId,
  kind: 'portability' as const,
  receivedAt: '2027-04-01T09:00:00.000Z',
  dueDate,
  status: 'open' as const,
  extendedMonths: 0,
  answeredAt: null,
  outcome: null,
  onTime: null,
});

describe('the request register', () => {
  const answered: SubjectEvent = {
    type: 'request.answered',
    data: { requestId: 'q1', outcome: 'refused', answeredAt: '2027-04-20T09:00:00.000Z', onTime: true },
    personal: { reason: 'manifestly unfounded' },
  };
  const events = history(
    ['2027-04-01', received('q1', '2027-05-03')],
    ['2027-04-02', collected],
    ['2027-04-03', received('q2', '2027-05-03')],
    ['2027-04-20', answered],
  );
  const ofRequest = (requestId: string) =>
    events.filter(
      (e) => requestRegisterDocuments.canHandle(e) && requestRegisterDocuments.documentId(e).endsWith(`/${requestId}`),
    );

  it('keeps a row per request, keyed by person and request, and passes other events by', () => {
    const handled = events.filter((e) => requestRegisterDocuments.canHandle(e));
    expect(handled.map((e) => [e.revision, requestRegisterDocuments.documentId(e)])).toEqual([
      [0, `${subjectId}/q1`],
      [2, `${subjectId}/q2`],
      [3, `${subjectId}/q1`],
    ]);
  });

  it('holds a request from its opening to its answer, and nothing personal', () => {
    given(ofRequest('q1')).then({
      subjectId,
      request: {
        ...open('q1', '2027-05-03'),
        status: 'answered',
        answeredAt: '2027-04-20T09:00:00.000Z',
        outcome: 'refused',
        onTime: true,
      },
      version: 4,
    });
    given(ofRequest('q2')).then({ subjectId, request: open('q2', '2027-05-03'), version: 3 });
  });

  it("leaves out an erasure the controller asks for itself: it is no person's request", () => {
    const retention = history([
      '2027-04-01',
      {
        type: 'erasure.requested',
        data: { requestId: 'r1', scope: 'all', reason: 'retention-expired' },
        personal: {},
      } as SubjectEvent,
    ]);
    expect(retention.filter((e) => requestRegisterDocuments.canHandle(e))).toEqual([]);
  });

  it('writes beside each row what the pages and the overdue gauge select and sort on', () => {
    const row: RegisterRequestRow = { subjectId, request: open('q2', '2027-06-01'), version: 3 };
    const values = Object.fromEntries(REQUEST_REGISTER_TABLE.columns.map((c) => [c.name, c.value(row)]));
    expect(values).toEqual({
      subject_id: subjectId,
      request_id: 'q2',
      kind: 'portability',
      status: 'open',
      due_date: '2027-06-01',
    });
  });
});
