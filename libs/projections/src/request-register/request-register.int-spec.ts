import type { SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import { inTransaction, migrate } from '#ledger/postgres';
import { suiteDatabase } from '../../../../test/support/test-database';
import { RequestRegisterProjection } from './request-register.projection';
import {
  RequestRegisterReader,
  type RegisterCursor,
  type RegisterEntry,
  type RegisterStatus,
} from './request-register.reader';

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

const history = (): StoredEvent[] => [
  stored(alice, 0, received('a1', 'access', '2027-02-04')),
  stored(alice, 1, received('a2', 'objection', '2027-03-01')),
  stored(bob, 0, received('b1', 'access', '2027-02-01')),
  stored(bob, 1, received('b2', 'access', '2027-02-02')),
  stored(bob, 2, answered('b2')),
];

describe('the request register in PostgreSQL', () => {
  const db = suiteDatabase();
  const projection = new RequestRegisterProjection();
  let reader: RequestRegisterReader;
  const ids = (entries: RegisterEntry[]) =>
    entries.map((r) => `${r.subjectId === alice ? 'alice' : 'bob'}:${r.requestId}`);

  beforeEach(async () => {
    reader = new RequestRegisterReader(db.pool);
    await db.pool.query('DROP TABLE IF EXISTS ledger_register_requests, ledger_request_register, ledger_migrations');
  });

  it('lists requests by status and kind, earliest due first, and counts the overdue', async () => {
    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    await inTransaction(db.pool, (client) => projection.apply(history(), client));
    const list = async (today: string, status?: RegisterStatus, kind?: string) =>
      ids((await reader.list(today, { ...(status ? { status } : {}), ...(kind ? { kind } : {}) })).requests);

    expect(await list('2027-02-03')).toEqual(['bob:b1', 'bob:b2', 'alice:a1', 'alice:a2']);
    expect(await list('2027-02-03', 'open')).toEqual(['bob:b1', 'alice:a1', 'alice:a2']);
    expect(await list('2027-02-03', 'open', 'objection')).toEqual(['alice:a2']);
    expect(await list('2027-02-03', 'answered')).toEqual(['bob:b2']);
    // Due on 1 February, overdue from 2 February; due on 4 February, still in time that whole day.
    expect(await list('2027-02-01', 'overdue')).toEqual([]);
    expect(await list('2027-02-04', 'overdue')).toEqual(['bob:b1']);
    expect(await list('2027-02-05', 'overdue')).toEqual(['bob:b1', 'alice:a1']);
    expect(await reader.overdueCount('2027-02-04')).toBe(1);
    expect(await reader.overdueCount('2027-03-02')).toBe(3);
  });

  it('pages through the register in the same order, each request once, and says when it is done', async () => {
    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    // Two persons with the same upstream request id on the same due date: two rows, ordered by person.
    await inTransaction(db.pool, (client) =>
      projection.apply([...history(), stored(alice, 2, received('b1', 'access', '2027-02-01'))], client),
    );
    const pages: string[][] = [];
    let after: RegisterCursor | undefined;
    do {
      const page = await reader.list('2027-02-03', { limit: 2, ...(after ? { after } : {}) });
      pages.push(ids(page.requests));
      after = page.next;
    } while (after);
    expect(pages).toEqual([['alice:b1', 'bob:b1'], ['bob:b2', 'alice:a1'], ['alice:a2']]);
    const whole = await reader.list('2027-02-03', { limit: 5 });
    expect([ids(whole.requests), whole.next]).toEqual([pages.flat(), undefined]);
  });

  it('moves a register kept one row per person into one row per request, and goes on from there', async () => {
    const [perPerson, perRequest] = projection.migrations;
    await migrate(db.pool, `projection:${projection.name}`, [perPerson!]);
    const row = (subjectId: string, version: number, requests: RegisterEntry[]) => [
      subjectId,
      JSON.stringify({ subjectId, requests: requests.map(({ subjectId: _, ...r }) => r), version }),
    ];
    const old = (requestId: string, dueDate: string, status: 'open' | 'answered') => ({
      subjectId: alice,
      requestId,
      kind: 'access' as const,
      receivedAt: '2027-01-04T09:00:00.000Z',
      dueDate,
      status,
      extendedMonths: 0,
      answeredAt: null,
      outcome: null,
      onTime: null,
    });
    for (const [subjectId, document] of [
      row(alice, 2, [old('a1', '2027-02-04', 'open'), old('a2', '2027-03-01', 'answered')]),
      row(bob, 1, [old('b1', '2027-02-01', 'open')]),
    ])
      await db.pool.query(`INSERT INTO ledger_request_register VALUES ($1, 0, 0, NULL, '{}', $2)`, [
        subjectId,
        document,
      ]);
    await migrate(db.pool, `projection:${projection.name}`, [perPerson!, perRequest!]);

    expect(ids((await reader.list('2027-02-03')).requests)).toEqual(['bob:b1', 'alice:a1', 'alice:a2']);
    expect(await reader.overdueCount('2027-02-05')).toBe(2);
    // The moved rows keep their versions: an event folded before is not folded again.
    await inTransaction(db.pool, (client) =>
      projection.apply([stored(alice, 0, answered('a1')), stored(alice, 1, answered('a1'))], client),
    );
    const [a1] = (await reader.list('2027-02-03', { status: 'answered', kind: 'access' })).requests.filter(
      (r) => r.requestId === 'a1',
    );
    expect(a1).toBeUndefined();
    await inTransaction(db.pool, (client) => projection.apply([stored(alice, 2, answered('a1'))], client));
    expect(ids((await reader.list('2027-02-03', { status: 'answered' })).requests)).toEqual(['alice:a1', 'alice:a2']);
    const tables = await db.pool.query(`SELECT to_regclass('ledger_request_register') AS old`);
    expect(tables.rows[0].old).toBeNull();
  });
});
