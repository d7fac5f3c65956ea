import type { SubjectEvent } from '#ledger/domain';
import { documentSpecification } from '../testing/document-specification';
import { subjectHistory } from '../testing/subject-history';
import {
  REQUEST_REGISTER_TABLE,
  requestRegisterDocuments,
  type RequestRegisterRow,
} from './request-register.projection';

// The register row of one person after their recorded history: their requests, and nothing personal.
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
  it('holds each request of a person, open or answered, and passes other events by', () => {
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
    expect(events.filter((e) => requestRegisterDocuments.canHandle(e)).map((e) => e.revision)).toEqual([0, 2, 3]);
    given(events).then({
      subjectId,
      requests: [
        {
          ...open('q1', '2027-05-03'),
          status: 'answered',
          answeredAt: '2027-04-20T09:00:00.000Z',
          outcome: 'refused',
          onTime: true,
        },
        open('q2', '2027-05-03'),
      ],
      version: 4,
    });
  });

  it('writes beside each row what the overdue queries select on', () => {
    const row: RequestRegisterRow = {
      subjectId,
      requests: [
        open('q2', '2027-06-01'),
        open('q1', '2027-05-03'),
        { ...open('q3', '2027-01-04'), status: 'answered' },
      ],
      version: 3,
    };
    const values = Object.fromEntries(REQUEST_REGISTER_TABLE.columns.map((c) => [c.name, c.value(row)]));
    expect(values).toEqual({
      open_count: 2,
      answered_count: 1,
      earliest_open_due: '2027-05-03',
      open_due_dates: '{2027-06-01,2027-05-03}',
    });
  });
});
