import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { produce, readTopic } from '../support/kafka-client';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase } from '../support/test-database';
import { LedgerProcess, freePort } from './support/ledger-process';
import { workload, type Workload } from './support/kafka-workload';

const brokers = () => process.env.LEDGER_TEST_KAFKA_BROKERS!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many times each envelope id was recorded (by the primary event, which carries the id). */
async function recordedCounts(url: string, ids: readonly string[]): Promise<Map<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; n: number }>(
      `SELECT event_id::text AS id, count(*)::int AS n FROM ledger_events
       WHERE event_id = ANY($1::uuid[]) GROUP BY event_id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  } finally {
    await client.end();
  }
}

async function waitUntilRecorded(url: string, work: Workload, timeoutMs = 120_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await recordedCounts(url, work.valid);
    if (counts.size === work.valid.length || Date.now() > deadline) return counts;
    await sleep(500);
  }
}

/** Waits (at most 5 s) until `count` of the workload's envelopes are recorded. */
async function whenRecorded(url: string, work: Workload, count: number): Promise<void> {
  for (let i = 0; i < 100 && (await recordedCounts(url, work.valid)).size < count; i += 1) await sleep(50);
}

const expectExactlyOnce = (counts: Map<string, number>, work: Workload) => {
  expect(counts.size).toBe(work.valid.length);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
};

/**
 * The Kafka entrance on a real broker (deploy/kafka): exactly once, dead letters with reasons,
 * publication without personal values; a kill -9 and a cut database connection mid-stream.
 */
describe('Kafka ingestion (built service, real broker, PostgreSQL)', () => {
  const drops: Array<() => Promise<void>> = [];
  const ledgers: LedgerProcess[] = [];
  afterAll(async () => {
    for (const l of ledgers) await l.stop();
    for (const drop of drops) await drop();
  });

  const start = async (databaseUrl: string, topic: string, extra: NodeJS.ProcessEnv = {}) => {
    const ledger = await LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers(),
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: `${topic}-group`,
      KAFKA_LEDGER_TOPIC: `${topic}-ledger`,
      // Events only on the ledger topic here; its checkpoints are verifiable-log.e2e-spec's.
      LEDGER_CHECKPOINT_INTERVAL_MS: '3600000',
      ...extra,
    });
    ledgers.push(ledger);
    return ledger;
  };
  const setup = async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    return { db, topic: `ledger-test-${randomUUID().slice(0, 8)}` };
  };

  it('records 10,000 envelopes for 500 persons exactly once, dead-letters the 1% invalid with reasons', async () => {
    const { db, topic } = await setup();
    const work = workload(500, 20);
    expect(work.messages).toHaveLength(10_000);
    expect(work.invalid.size).toBe(100);
    await produce(topic, work.messages);
    const ledger = await start(db.url, topic);

    expectExactlyOnce(await waitUntilRecorded(db.url, work), work);
    // One more than expected, with a short wait: a dead letter published twice would show.
    const dead = await readTopic(`${topic}.dlq`, work.invalid.size + 1, 8_000);
    expect(dead).toHaveLength(work.invalid.size);
    expect(new Set(dead.map((d) => `${d.headers['origin-partition']}/${d.headers['origin-offset']}`)).size).toBe(
      work.invalid.size,
    );
    // The letters are sealed, so they are matched to the workload by their codes.
    const codes = (values: string[]) =>
      values.reduce((n, c) => n.set(c, (n.get(c) ?? 0) + 1), new Map<string, number>());
    expect(codes(dead.map((d) => d.headers['error-code']!))).toEqual(codes([...work.invalid.values()]));
    for (const letter of dead) {
      expect(letter.value).not.toContain('x@example.no');
      expect(letter.headers['error-message']?.length).toBeGreaterThan(0);
      expect(letter.headers['origin-topic']).toBe(topic);
      expect(letter.headers['origin-offset']).toMatch(/^\d+$/);
      expect(letter.headers['error-message']).not.toContain('x@example.no');
    }

    // Everything recorded is published downstream, keyed by subject, without personal values.
    const published = await readTopic(`${topic}-ledger`, work.valid.length);
    expect(new Set(published.map((m) => m.headers['event-id']))).toEqual(new Set(work.valid));
    expect(published.every((m) => m.key === JSON.parse(m.value).subjectId)).toBe(true);
    expect(published.some((m) => m.value.includes('Employer'))).toBe(false);
    // Each person's events on one partition, in the order they were recorded, for a consumer
    // that drops a repeat by its event id (the publication is at least once).
    const ids = new Set<string>();
    const perSubject = new Map<string, { partitions: Set<number>; revisions: number[] }>();
    for (const m of published) {
      if (ids.has(m.headers['event-id']!)) continue;
      ids.add(m.headers['event-id']!);
      const { subjectId, revision } = JSON.parse(m.value) as { subjectId: string; revision: number };
      const seen = perSubject.get(subjectId) ?? { partitions: new Set<number>(), revisions: [] };
      seen.partitions.add(m.partition);
      seen.revisions.push(revision);
      perSubject.set(subjectId, seen);
    }
    const subjects = [...perSubject.values()];
    expect(subjects.filter((s) => s.partitions.size !== 1)).toEqual([]);
    expect(subjects.filter((s) => s.revisions.some((r, i) => i > 0 && r <= s.revisions[i - 1]!))).toEqual([]);
    expect(subjects.length).toBeGreaterThan(400);

    const metrics = (await ledger.get('/metrics', 'ops')).body as string;
    expect(metrics).toMatch(/ledger_kafka_dead_letters_total\{code="CONSENT_REQUIRED"\} 33\n/);
    expect(metrics).toMatch(/ledger_kafka_records_total\{outcome="recorded"\} 9900\n/);
    expect(metrics).not.toMatch(/ledger_kafka_records_total\{outcome="duplicate"\}/);
    expect((await ledger.get('/health', 'ops')).body.kafka).toMatchObject({
      configured: true,
      consuming: true,
      retrying: false,
      stalled: false,
    });
  });

  /** 6,000 envelopes on a fresh topic, the service consuming them, and 1,000 of them recorded. */
  const midStream = async () => {
    const { db, topic } = await setup();
    const work = workload(300, 20, 1_000_000);
    await produce(topic, work.messages);
    const ledger = await start(db.url, topic);
    await whenRecorded(db.url, work, 1000);
    return { db, work, ledger };
  };

  it('stays exactly once when the service is killed with SIGKILL mid-stream and restarted', async () => {
    const { db, work, ledger } = await midStream();
    await ledger.kill('SIGKILL');
    const partial = (await recordedCounts(db.url, work.valid)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(work.valid.length);
    await ledger.boot();
    expectExactlyOnce(await waitUntilRecorded(db.url, work), work);
  });

  it('finishes and commits the batch in flight on SIGTERM, so a restart redelivers nothing', async () => {
    const { db, work, ledger } = await midStream();
    await ledger.stop();
    // Nest re-raises the signal once it has shut down cleanly; a crash would show a code instead.
    expect(ledger.ended).toEqual({ code: null, signal: 'SIGTERM' });
    await ledger.boot();
    expectExactlyOnce(await waitUntilRecorded(db.url, work), work);
    const metrics = (await ledger.get('/metrics', 'ops')).body as string;
    expect(metrics).not.toMatch(/ledger_kafka_records_total\{outcome="duplicate"\}/);
  });

  it('loses and duplicates nothing when the database connection is cut mid-stream and restored', async () => {
    const { db, topic } = await setup();
    const target = new URL(db.url);
    const proxy = new TcpProxy(await freePort(), target.hostname, Number(target.port || 5432));
    await proxy.open();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const work = workload(300, 20, 1_000_000);
    const ledger = await start(viaProxy.toString(), topic);
    await produce(topic, work.messages);
    await whenRecorded(db.url, work, 500);
    await proxy.cut();
    await sleep(3000);
    const during = await ledger.get('/health', null).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${ledger.output.join('').slice(-3000)}`);
    });
    expect(during.status).toBe(503);
    await proxy.open();
    expectExactlyOnce(await waitUntilRecorded(db.url, work), work);
    for (let i = 0; i < 50 && (await ledger.get('/health', null)).status !== 200; i += 1) await sleep(200);
    expect((await ledger.get('/health', null)).status).toBe(200);
    await proxy.cut();
  });

  it('shares the partitions between two instances in one group, with the same result as one', async () => {
    const { db, topic } = await setup();
    const work = workload(200, 10, 1_000_000);
    await produce(topic, work.messages);
    await Promise.all([start(db.url, topic), start(db.url, topic)]);
    expectExactlyOnce(await waitUntilRecorded(db.url, work), work);
  });
});
