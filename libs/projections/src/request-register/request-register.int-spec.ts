import type { SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import { inTransaction, migrate } from '#ledger/postgres';
import { suiteDatabase } from '../../../../test/support/test-database';
import { RequestRegisterProjection } from './request-register.projection';
import { RequestRegisterReader } from './request-register.reader';

const [alice, bob] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];

const stored = (subjectId: string, revision: number, event: SubjectEvent): StoredEvent => ({
  eventId: `${subjectId}/${revision}`,
  type: event.type,
  data: event.data,
  personal: null,
  meta: {
    envelopeId: `${subjectId}/${revision}`,
    envelopeHash: 'h',
    occurredAt: '2027-01-04T09:00:00.000Z',
    source: 'test',
    correlationId: 'c',
    causationId: 'c',
  },
  recordedAt: '2027-01-04T09:00:01.000Z',
  streamId: `subject-${subjectId}`,
  revision,
  checkpoint: '0',
  hash: 'h',
  previousHash: null,
});
const received = (requestId: string, kind: 'access' | 'objection', dueDate: string): SubjectEvent => ({
  type: 'request.received',
  data: { requestId, kind, channel: 'email', receivedAt: '2027-01-04T09:00:00.000Z', dueDate },
  personal: {},
});
const answered = (requestId: string): SubjectEvent => ({
  type: 'request.answered',
  data: { requestId, outcome: 'fulfilled', answeredAt: '2027-02-01T09:00:00.000Z', onTime: true },
  personal: {},
});

describe('the request register in PostgreSQL', () => {
  const db = suiteDatabase();

  it('lists requests by status and kind, earliest due first, and counts the overdue', async () => {
    const projection = new RequestRegisterProjection();
    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    await inTransaction(db.pool, (client) =>
      projection.apply(
        [
          stored(alice, 0, received('a1', 'access', '2027-02-04')),
          stored(alice, 1, received('a2', 'objection', '2027-03-01')),
          stored(bob, 0, received('b1', 'access', '2027-02-01')),
          stored(bob, 1, received('b2', 'access', '2027-02-02')),
          stored(bob, 2, answered('b2')),
        ],
        client,
      ),
    );
    const reader = new RequestRegisterReader(db.pool);
    const ids = async (today: string, status?: 'open' | 'overdue' | 'answered', kind?: string) =>
      (await reader.list(today, status, kind)).map((r) => `${r.subjectId === alice ? 'alice' : 'bob'}:${r.requestId}`);

    expect(await ids('2027-02-03')).toEqual(['bob:b1', 'bob:b2', 'alice:a1', 'alice:a2']);
    expect(await ids('2027-02-03', 'open')).toEqual(['bob:b1', 'alice:a1', 'alice:a2']);
    expect(await ids('2027-02-03', 'open', 'objection')).toEqual(['alice:a2']);
    expect(await ids('2027-02-03', 'answered')).toEqual(['bob:b2']);
    // Due on 1 February, overdue from 2 February; due on 4 February, still in time that whole day.
    expect(await ids('2027-02-01', 'overdue')).toEqual([]);
    expect(await ids('2027-02-04', 'overdue')).toEqual(['bob:b1']);
    expect(await ids('2027-02-05', 'overdue')).toEqual(['bob:b1', 'alice:a1']);
    expect(await reader.overdueCount('2027-02-04')).toBe(1);
    expect(await reader.overdueCount('2027-03-02')).toBe(3);
  });
});
