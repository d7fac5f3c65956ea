import { randomUUID } from 'node:crypto';
import {
  downstreamSystems,
  evolveComplianceFacts,
  initialComplianceFacts,
  violatedChecks,
  type SubjectEvent,
} from '#ledger/domain';
import { NO_STREAM, PostgresEventStore, type NewEvent } from '#ledger/event-store';
import { inTransaction, migrate } from '#ledger/postgres';
import { ProjectionRunner } from '../projection-runner';
import { SubjectStateProjection } from '../subject-state/subject-state.projection';
import { defaultPolicy } from '../../../domain/src/testing/envelopes';
import { suiteDatabase } from '../../../../test/support/test-database';
import { ComplianceProjection } from './compliance.projection';
import { ComplianceReader } from './compliance.reader';

const asOf = '2027-06-01T00:00:00.000Z';
const downstream = downstreamSystems(defaultPolicy());

type Step = readonly [at: string, event: SubjectEvent];
const newEvent = ([at, event]: Step): NewEvent => ({
  eventId: randomUUID(),
  type: event.type,
  data: event.data,
  personal: event.personal,
  meta: {
    envelopeId: randomUUID(),
    envelopeHash: 'h',
    occurredAt: at,
    source: 'webcruiter',
    correlationId: 'c',
    causationId: 'c',
  },
  recordedAt: at,
});

const li = { lawfulBasis: 'legitimate-interest' };
const collected: SubjectEvent = {
  type: 'data.collected',
  data: { purpose: 'client-assignments', ...li, collectedFrom: 'processor', fields: ['contact.email'] },
  personal: { values: { 'contact.email': 'sealed' } },
};
const usedFor = (purpose: string, lawfulBasis: string): SubjectEvent => ({
  type: 'data.used',
  data: { purpose, lawfulBasis, fields: ['contact.email'] },
  personal: {},
});
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
const ack = (system: string): SubjectEvent => ({ type: 'erasure.acknowledged', data: { system }, personal: {} });
const received = (dueDate: string): SubjectEvent => ({
  type: 'request.received',
  data: { requestId: 'q1', kind: 'access', channel: 'email', receivedAt: '2027-01-04T09:00:00Z', dueDate },
  personal: {},
});
const answered = (answeredAt: string): SubjectEvent => ({
  type: 'request.answered',
  data: { requestId: 'q1', outcome: 'fulfilled', answeredAt, onTime: true },
  personal: {},
});
const everyAck = [...new Set(downstream.byCategory['contact'])].map((s): Step => ['2027-01-10T00:00:00Z', ack(s)]);

/** Histories written straight to the store, past the decider: one clean, and one breaking each check. */
const HISTORIES: Record<string, Step[]> = {
  clean: [
    [
      '2027-01-01T10:00:00Z',
      { type: 'consent.given', data: { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' }, personal: {} },
    ],
    ['2027-01-02T10:00:00Z', usedFor('marketing', 'consent')],
    ['2027-01-04T09:00:00Z', received('2027-02-04')],
    ['2027-02-01T09:00:00Z', answered('2027-02-01T09:00:00Z')],
    ['2027-04-01T10:00:00Z', collected],
  ],
  'erased-and-confirmed': [['2021-01-01T10:00:00Z', collected], ['2027-01-01T10:00:00Z', erased], ...everyAck],
  'no-use-after-withdrawal': [
    [
      '2027-01-01T10:00:00Z',
      { type: 'consent.withdrawn', data: { purpose: 'marketing', channel: 'web' }, personal: {} },
    ],
    ['2027-01-02T10:00:00Z', usedFor('marketing', 'consent')],
  ],
  'no-processing-while-restricted': [
    ['2027-01-01T10:00:00Z', { type: 'restriction.placed', data: {}, personal: { reason: 'r' } }],
    ['2027-01-02T10:00:00Z', usedFor('client-assignments', 'legitimate-interest')],
  ],
  'requests-on-time': [['2027-04-01T09:00:00Z', received('2027-05-03')]],
  'retention-respected': [['2021-01-01T10:00:00Z', collected]],
  'erasures-acknowledged': [
    ['2021-01-01T10:00:00Z', collected],
    ['2027-01-01T10:00:00Z', erased],
    ...everyAck.slice(1),
  ],
};

/**
 * Until `done`, or for 20 s: the feed stops below the oldest transaction running on the server, which
 * other work on a shared PostgreSQL may hold open for a while.
 */
async function until(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the compliance checks over PostgreSQL', () => {
  const db = suiteDatabase();

  it('counts what the domain rules say of each history: each breach found, the clean passed', async () => {
    const store = await PostgresEventStore.open({ url: db.url, pool: db.pool });
    const projection = new ComplianceProjection(60);
    await migrate(db.pool, `projection:${projection.name}`, projection.migrations);
    const subjects = Object.fromEntries(Object.keys(HISTORIES).map((name) => [name, randomUUID()]));
    await store.append(
      Object.entries(HISTORIES).map(([name, steps]) => ({
        streamId: `subject-${subjects[name]}`,
        expected: NO_STREAM,
        events: steps.map(newEvent),
      })),
    );
    const events = Object.values(HISTORIES).flat().length;
    let feed = await store.readFeed(null, 1000);
    await until(async () => (feed = await store.readFeed(null, 1000)).length === events);
    await inTransaction(db.pool, (client) => projection.apply(feed, client));

    const counts = await new ComplianceReader(db.pool).counts(asOf, downstream);
    const nameOf = (id: string) => Object.keys(subjects).find((name) => subjects[name] === id);
    expect(counts.map((c) => ({ ...c, examples: c.examples.map(nameOf) }))).toEqual(
      counts.map((c) => ({ id: c.id, violations: 1, examples: [c.id] })),
    );
    // The SQL reads the columns as the domain's predicates read the facts, person by person.
    for (const [name, steps] of Object.entries(HISTORIES)) {
      const facts = steps.reduce(
        (f, [at, event]) => evolveComplianceFacts(f, event, { occurredAt: at, recordedAt: at }),
        initialComplianceFacts,
      );
      const counted = counts.filter((c) => c.examples.includes(subjects[name]!)).map((c) => c.id);
      expect([name, counted]).toEqual([name, violatedChecks(facts, { asOf, retentionMonths: 60, downstream })]);
    }
    await store.close();
  });
});

describe('the compliance read model on a store with history', () => {
  const db = suiteDatabase();

  it('folds the history recorded before it from position 0, the other read models left where they are', async () => {
    const store = await PostgresEventStore.open({ url: db.url, pool: db.pool });
    const state = new ProjectionRunner(store, db.pool, new SubjectStateProjection(60));
    await state.prepare();
    const subjectId = randomUUID();
    const steps = HISTORIES['retention-respected']!;
    await store.append([{ streamId: `subject-${subjectId}`, expected: NO_STREAM, events: steps.map(newEvent) }]);
    await until(async () => (await state.step()) > 0);
    const checkpoints = async () =>
      (await db.pool.query('SELECT name, checkpoint FROM ledger_projections ORDER BY name')).rows;
    const before = await checkpoints();

    const compliance = new ProjectionRunner(store, db.pool, new ComplianceProjection(60));
    await compliance.prepare();
    await until(async () => (await compliance.step()) > 0);
    const counts = await new ComplianceReader(db.pool).counts(asOf, downstream);
    expect(counts.find((c) => c.id === 'retention-respected')).toEqual({
      id: 'retention-respected',
      violations: 1,
      examples: [subjectId],
    });
    expect(await checkpoints()).toEqual([{ name: 'compliance', checkpoint: before[0]!.checkpoint }, ...before]);
    await store.close();
  });
});
