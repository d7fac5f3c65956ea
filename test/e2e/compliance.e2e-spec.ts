import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { SubjectEvent } from '#ledger/domain';
import { NO_STREAM, PostgresEventStore, type NewEvent } from '#ledger/event-store';
import { dumpDatabase } from '../support/dump-database';
import { TEST_KAFKA_BROKERS } from '../support/kafka-broker';
import { produce } from '../support/kafka-client';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

interface Check {
  id: string;
  status: 'pass' | 'fail';
  violations: number;
  examples: string[];
}
interface Compliance {
  asOf: string;
  checks: Check[];
  refusals: Record<string, number>;
}

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Polls `read` until `ok` holds of its answer: the checks count a read model, a moment behind the store. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A subject event as the store keeps it, written past the decider; `at` is when it happened and was recorded. */
const stored = (at: string, event: SubjectEvent): NewEvent => ({
  eventId: randomUUID(),
  type: event.type,
  data: event.data,
  personal: event.personal,
  meta: {
    envelopeId: randomUUID(),
    envelopeHash: 'crafted',
    occurredAt: at,
    source: 'webcruiter',
    correlationId: randomUUID(),
    causationId: randomUUID(),
  },
  recordedAt: at,
});
const usedFor = (purpose: string, lawfulBasis: string): SubjectEvent => ({
  type: 'data.used',
  data: { purpose, lawfulBasis, fields: [] },
  personal: {},
});
const collectedLongAgo: SubjectEvent = {
  type: 'data.collected',
  data: { purpose: 'client-assignments', lawfulBasis: 'legitimate-interest', collectedFrom: 'processor', fields: [] },
  personal: { values: {} },
};

/** One history per check that breaks it and nothing else, as a careless upstream or a bug could have written it. */
const BROKEN: Record<string, NewEvent[]> = {
  'no-use-after-withdrawal': [
    stored(daysAgo(3), { type: 'consent.withdrawn', data: { purpose: 'marketing', channel: 'web' }, personal: {} }),
    stored(daysAgo(2), usedFor('marketing', 'consent')),
  ],
  'no-processing-while-restricted': [
    stored(daysAgo(3), { type: 'restriction.placed', data: {}, personal: { reason: 'accuracy contested' } }),
    stored(daysAgo(2), usedFor('client-assignments', 'legitimate-interest')),
  ],
  'requests-on-time': [
    stored(daysAgo(3), {
      type: 'request.received',
      data: {
        requestId: randomUUID(),
        kind: 'access',
        channel: 'email',
        receivedAt: daysAgo(70),
        dueDate: daysAgo(40).slice(0, 10),
      },
      personal: {},
    }),
  ],
  'retention-respected': [stored(daysAgo(6 * 366), collectedLongAgo)],
  'erasures-acknowledged': [
    stored(daysAgo(40), {
      type: 'erasure.completed',
      data: { requestId: randomUUID(), scope: 'all', reason: 'subject-request', categories: ['contact'], fields: [] },
      personal: {},
    }),
    stored(daysAgo(35), { type: 'erasure.acknowledged', data: { system: 'Webcruiter' }, personal: {} }),
  ],
};

/** GET /v1/compliance (CONTRACT §9) on the built service: the checks over the history, and refusals by code. */
describe('compliance checks (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  const compliance = async () => (await ledger.get('/v1/compliance', 'auditor')).body as Compliance;

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase());
  });
  afterAll(() => stop?.());

  it('passes every check on a clean history, and fails each on a history written to break it', async () => {
    const ref = `webcruiter:candidate:clean-${randomUUID().slice(0, 8)}`;
    const clean = [
      envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' }, daysAgo(5)),
      envelope(
        'data.collected',
        ref,
        { purpose: 'marketing', fields: { 'contact.email': 'ren@example.no' }, collectedFrom: 'subject' },
        daysAgo(4),
      ),
      envelope('access.requested', ref, { channel: 'email' }, daysAgo(3)),
    ];
    for (const e of clean) expect((await ledger.post(e)).status).toBe(201);
    const answer = envelope('request.answered', ref, { requestId: clean[2]!.id, outcome: 'fulfilled' }, daysAgo(1));
    expect((await ledger.post(answer)).status).toBe(201);
    // The checks' read model follows the store on its own; wait until it holds the whole clean history.
    const subjectId = (await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body.subjectId as string;
    const events = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.entries.length as number;
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const folded = async () =>
        (
          await db.query("SELECT (facts->>'version')::int AS version FROM ledger_compliance WHERE subject_id = $1", [
            subjectId,
          ])
        ).rows[0]?.version;
      expect(await eventually(folded, (version) => version === events)).toBe(events);
    } finally {
      await db.end();
    }
    const passed = await compliance();
    expect(passed.checks.map((c) => [c.id, c.status, c.violations, c.examples])).toEqual(
      Object.keys(BROKEN).map((id) => [id, 'pass', 0, []]),
    );
    expect(Date.parse(passed.asOf)).toBeGreaterThan(Date.now() - 60_000);

    const subjects = Object.fromEntries(Object.keys(BROKEN).map((id) => [id, randomUUID()]));
    const store = await PostgresEventStore.open({ url: databaseUrl });
    try {
      await store.append(
        Object.entries(BROKEN).map(([id, events]) => ({
          streamId: `subject-${subjects[id]}`,
          expected: NO_STREAM,
          events,
        })),
      );
    } finally {
      await store.close();
    }
    const failed = await eventually(compliance, (c) => c.checks.every((check) => check.status === 'fail'));
    expect(failed.checks).toEqual(
      Object.keys(BROKEN).map((id) => ({ id, status: 'fail', violations: 1, examples: [subjects[id]] })),
    );
  });

  it('answers auditor and dpo only, and is in the OpenAPI document', async () => {
    expect((await ledger.get('/v1/compliance', 'dpo')).status).toBe(200);
    expect((await ledger.get('/v1/compliance', 'ingest')).status).toBe(403);
    expect((await ledger.get('/v1/compliance', null)).status).toBe(401);
    const openApi = (await ledger.get('/docs-json', null)).body;
    expect(openApi.paths['/v1/compliance'].get.security).toEqual([{ bearer: [] }]);
  });

  it('counts refused envelopes by code, keeps no value of them, and the counts survive a restart', async () => {
    const before = (await compliance()).refusals;
    const value = `refused-${randomUUID()}@example.no`;
    const ref = `webcruiter:candidate:refused-${randomUUID().slice(0, 8)}`;
    const noConsent = () =>
      envelope('data.collected', ref, {
        purpose: 'marketing',
        fields: { 'contact.email': value },
        collectedFrom: 'subject',
      });
    const unknownPurpose = envelope('data.used', ref, { purpose: 'astrology' });
    for (const e of [noConsent(), noConsent(), unknownPurpose]) expect((await ledger.post(e)).status).toBe(422);
    // A batch refused on its second envelope is one refusal: the envelope that broke the rule.
    const batch = [envelope('access.requested', ref, {}), noConsent(), envelope('access.requested', ref, {})];
    const refusedBatch = await ledger.post({ events: batch });
    expect([refusedBatch.status, refusedBatch.body.code]).toEqual([422, 'CONSENT_REQUIRED']);

    const added = (refusals: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(refusals)
          .map(([code, n]) => [code, n - (before[code] ?? 0)])
          .filter(([, n]) => n !== 0),
      );
    expect(added((await compliance()).refusals)).toEqual({ CONSENT_REQUIRED: 3, UNKNOWN_PURPOSE: 1 });
    expect((await dumpDatabase(databaseUrl)).text).not.toContain(value);

    await ledger.stop();
    await ledger.boot();
    expect(added((await compliance()).refusals)).toEqual({ CONSENT_REQUIRED: 3, UNKNOWN_PURPOSE: 1 });
  });

  it('counts every Kafka dead letter by its code, into the same counts', async () => {
    const topic = `ledger-compliance-${randomUUID().slice(0, 8)}`;
    const kafka = await LedgerProcess.onFreshDatabase({
      KAFKA_BROKERS: TEST_KAFKA_BROKERS,
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: `${topic}-group`,
      KAFKA_LEDGER_TOPIC: `${topic}-ledger`,
    });
    try {
      const ref = `webcruiter:candidate:kafka-${randomUUID().slice(0, 8)}`;
      const noConsent = envelope('data.collected', ref, {
        purpose: 'marketing',
        fields: { 'contact.email': 'kafka@example.no' },
        collectedFrom: 'subject',
      });
      const invalid = envelope('consent.given', ref, { purpose: 'marketing' });
      await produce(topic, [
        { key: ref, value: JSON.stringify(noConsent) },
        { key: ref, value: '{"not": "json"' },
        { key: ref, value: JSON.stringify(invalid) },
      ]);
      const read = async () => ((await kafka.ledger.get('/v1/compliance', 'dpo')).body as Compliance).refusals;
      const counted = await eventually(read, (r) => Object.values(r).reduce((a, b) => a + b, 0) >= 3, 30_000);
      expect(counted).toEqual({ CONSENT_REQUIRED: 1, INVALID_JSON: 1, VALIDATION: 1 });
    } finally {
      await kafka.stop();
    }
    // A service of its own with a consumer group to join: more than the default minute on a busy machine.
  }, 120_000);
});
