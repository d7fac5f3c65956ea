import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { produce, readTopic } from '../support/kafka-client';
import { createTestDatabase } from '../support/test-database';
import { envelope } from './support/envelopes';
import { LedgerProcess, TOKENS } from './support/ledger-process';

const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');
const brokers = () => process.env.LEDGER_TEST_KAFKA_BROKERS!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sql<R extends object = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** How many times each envelope id was recorded (by the primary event, which carries the id). */
async function recordedCounts(url: string, ids: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; n: number }>(
    url,
    'SELECT event_id::text AS id, count(*)::int AS n FROM ledger_events ' +
      'WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
}

const DEAD_LETTER_HEADERS = ['error-code', 'error-message', 'origin-offset', 'origin-partition', 'origin-topic'];

/**
 * Dead letters on the real broker: sealed (no value in clear), replayed once their cause is
 * fixed, unreadable after the retention days; poison and oversized letters stall nothing; a store
 * failing with each transient SQLSTATE is waited out (Kafka) or answered 503 (HTTP).
 */
describe('dead letters and transient faults (built service, real broker, PostgreSQL)', () => {
  const drops: Array<() => Promise<void>> = [];
  const ledgers: LedgerProcess[] = [];
  afterAll(async () => {
    for (const l of ledgers) await l.stop();
    for (const drop of drops) await drop();
  });

  const start = async (topic: string) => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const ledger = await LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers(),
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: `${topic}-group`,
      KAFKA_LEDGER_TOPIC: `${topic}-ledger`,
    });
    ledgers.push(ledger);
    return { ledger, url: db.url };
  };
  const cli = (ledger: LedgerProcess, ...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...ledger.env } }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
  const subjectOf = async (ledger: LedgerProcess, ref: string) =>
    (await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body.subjectId as string | undefined;

  it('seals every value of a dead letter, replays a fixed one once, and cannot open it after retention', async () => {
    const topic = `ledger-dlq-${randomUUID().slice(0, 8)}`;
    const { ledger, url } = await start(topic);
    const run = randomUUID().slice(0, 8);
    const ref = `webcruiter:candidate:dlq-${run}`;
    const email = `dlq-${run}@example.no`;
    const name = `Dlq Nordmann ${run}`;
    const secret = `not-json-${run}`;
    const early = envelope('data.collected', ref, {
      purpose: 'candidate-relationship',
      fields: { 'contact.email': email, 'contact.name': name },
      collectedFrom: 'subject',
    });
    await produce(topic, [
      { key: ref, value: JSON.stringify(early) },
      { key: ref, value: `{"id": "${randomUUID()}", "note": "${secret}"` },
    ]);

    const letters = await readTopic(`${topic}.dlq`, 2);
    expect(letters.map((l) => l.headers['error-code']).sort()).toEqual(['CONSENT_REQUIRED', 'INVALID_JSON']);
    for (const letter of letters) {
      const raw = `${letter.key}\n${letter.value}\n${JSON.stringify(letter.headers)}`;
      for (const value of [email, name, ref, run, 'kari.hansen']) expect(raw).not.toContain(value);
      expect(Object.keys(letter.headers).sort()).toEqual(DEAD_LETTER_HEADERS);
    }
    // Both letters of one person on one partition, under a keyed hash of the ref.
    expect(new Set(letters.map((l) => `${l.partition}/${l.key}`)).size).toBe(1);
    const sealed = JSON.parse(letters.find((l) => l.headers['error-code'] === 'CONSENT_REQUIRED')!.value);
    expect(sealed).toMatchObject({ id: early.id, type: 'data.collected', data: { purpose: 'candidate-relationship' } });
    expect(sealed.subject.ref).toMatch(/^dlq:v1:/);
    expect(sealed.data.fields['contact.email']).toMatch(/^dlq:v1:/);

    // The cause fixed (consent recorded since), a replay records the letter; the other dead-letters again.
    await produce(topic, [
      {
        key: ref,
        value: JSON.stringify(
          envelope('consent.given', ref, {
            purpose: 'candidate-relationship',
            policyVersion: '2018-05',
            channel: 'web',
          }),
        ),
      },
    ]);
    expect(await until(() => subjectOf(ledger, ref), Boolean, 20_000)).toBeDefined();
    const replay = await cli(ledger, 'dlq', 'replay');
    expect(replay).toMatchObject({ code: 0 });
    expect(replay.stderr).toContain(`dead letters read: 2; re-submitted to ${topic}: 2; skipped, key destroyed: 0`);
    expect(replay.stderr).not.toContain(email);
    const subjectId = (await subjectOf(ledger, ref))!;
    const state = await until(
      async () => (await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'e2e' })).body,
      (s) => s.data?.['contact.email'] !== undefined,
      20_000,
    );
    expect(state.data['contact.email'].value).toBe(email);
    expect(state.data['contact.name'].value).toBe(name);
    expect((await recordedCounts(url, [early.id])).get(early.id)).toBe(1);
    const again = await readTopic(`${topic}.dlq`, 4, 6_000);
    expect(again.map((l) => l.headers['error-code']).sort()).toEqual([
      'CONSENT_REQUIRED',
      'INVALID_JSON',
      'INVALID_JSON',
    ]);
    // After the retention days (the keys made older here), the job at start destroys them.
    await sql(url, `UPDATE ledger_data_keys SET created_at = now() - interval '31 days' WHERE category LIKE '$dlq/%'`);
    await ledger.stop();
    await ledger.boot();
    const keys = await sql<{ wrapped: Buffer | null }>(
      url,
      `SELECT wrapped FROM ledger_data_keys WHERE category LIKE '$dlq/%'`,
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.wrapped === null)).toBe(true);
    const late = await cli(ledger, 'dlq', 'replay');
    expect(late).toMatchObject({ code: 0 });
    expect(late.stderr).toContain('dead letters read: 1; re-submitted to');
    expect(late.stderr).toContain(': 0; skipped, key destroyed: 1;');
  });

  it('does not stall a partition on a poison message or a dead letter too large for the broker', async () => {
    const topic = `ledger-poison-${randomUUID().slice(0, 8)}`;
    const admin = new Kafka({
      clientId: 'ledger-tests',
      brokers: brokers().split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: `${topic}.dlq`, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] },
      ],
    });
    await admin.disconnect();
    await produce(topic, [], 1);
    const { ledger, url } = await start(topic);
    const ref = `webcruiter:candidate:poison-${randomUUID().slice(0, 8)}`;
    const large = envelope('data.collected', ref, {
      purpose: 'candidate-relationship',
      fields: { 'documents.cv': 'x'.repeat(3000), 'contact.name': 'y'.repeat(3000) },
      collectedFrom: 'subject',
    });
    const valid = envelope('data.collected', ref, {
      purpose: 'client-assignments',
      fields: { 'contact.email': 'poison@example.no' },
      collectedFrom: 'subject',
    });
    const nested = '['.repeat(5000) + ']'.repeat(5000);
    const deep = `{"id":"${randomUUID()}","type":"data.used","data":{"description":${nested}}}`;
    await produce(
      topic,
      [
        { key: ref, value: `{"__proto__":{"polluted":true},"id":"${randomUUID()}","type":"data.collected"}` },
        { key: ref, value: deep },
        { key: ref, value: JSON.stringify(large) },
        { key: ref, value: JSON.stringify(valid) },
      ],
      1,
    );
    const recorded = await until(
      () => recordedCounts(url, [valid.id]),
      (c) => c.size === 1,
      10_000,
    );
    expect(recorded.get(valid.id)).toBe(1);

    const letters = await readTopic(`${topic}.dlq`, 3);
    expect(letters.map((l) => l.headers['error-code'])).toEqual(['VALIDATION', 'VALIDATION', 'CONSENT_REQUIRED']);
    expect(JSON.parse(letters[2]!.value)).toEqual({
      id: large.id,
      type: 'data.collected',
      source: 'webcruiter',
      truncated: true,
    });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((await ledger.get('/health', 'ops')).body.kafka).toMatchObject({
      consuming: true,
      retrying: false,
      stalled: false,
    });
  });

  it('waits out transient SQLSTATEs on Kafka (no dead letter, each envelope once); HTTP: 503 Retry-After', async () => {
    const topic = `ledger-faults-${randomUUID().slice(0, 8)}`;
    const { ledger, url } = await start(topic);
    // A fault injected by a trigger while a row names it: the store fails as a real server would.
    await sql(
      url,
      `CREATE TABLE fault_injection (target text NOT NULL, sqlstate text NOT NULL);
       CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE s text;
       BEGIN
         SELECT sqlstate INTO s FROM fault_injection WHERE target = TG_TABLE_NAME LIMIT 1;
         IF s IS NOT NULL THEN RAISE EXCEPTION 'injected fault' USING ERRCODE = s; END IF;
         RETURN NULL;
       END $$;
       CREATE TRIGGER inject_fault BEFORE INSERT ON ledger_events
         FOR EACH STATEMENT EXECUTE FUNCTION inject_fault();
       CREATE TRIGGER inject_fault BEFORE INSERT ON ledger_data_keys
         FOR EACH STATEMENT EXECUTE FUNCTION inject_fault();
       CREATE TRIGGER inject_fault BEFORE INSERT ON ledger_subject_refs
         FOR EACH STATEMENT EXECUTE FUNCTION inject_fault();`,
    );
    const states = [
      '53100',
      '53200',
      '53300',
      '25006',
      '57014',
      '40001',
      '40P01',
      '55P03',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
    ];
    // The event store, and the keyring and subject directory, whose raw driver errors must count too.
    const targets = ['ledger_events', 'ledger_data_keys', 'ledger_subject_refs'];
    const kafkaIds: string[] = [];
    const httpIds: string[] = [];
    let faults = 0;
    for (const [i, sqlstate] of states.entries()) {
      const target = targets[i % targets.length]!;
      await sql(url, 'INSERT INTO fault_injection VALUES ($1, $2)', [target, sqlstate]);
      faults += 1;
      const messages = Array.from({ length: 5 }, (_, p) => {
        const ref = `webcruiter:candidate:fault-${sqlstate}-${p}-${randomUUID().slice(0, 6)}`;
        const one = envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'work.employer': `Employer ${p}` },
          collectedFrom: 'processor',
        });
        kafkaIds.push(one.id);
        return { key: ref, value: JSON.stringify(one) };
      });
      await produce(topic, messages);
      const posted = envelope('data.collected', `invenias:contact:fault-${sqlstate}-${randomUUID().slice(0, 6)}`, {
        purpose: 'client-assignments',
        fields: { 'contact.email': `fault-${i}@example.no` },
        collectedFrom: 'subject',
      });
      httpIds.push(posted.id);
      const during = await fetch(`${ledger.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json' },
        body: JSON.stringify(posted),
      });
      expect({ sqlstate, status: during.status, retryAfter: during.headers.get('retry-after') }).toEqual({
        sqlstate,
        status: 503,
        retryAfter: expect.stringMatching(/^\d+$/),
      });
      await sleep(2000);
      await sql(url, 'DELETE FROM fault_injection');
      expect({ sqlstate, status: (await ledger.post(posted)).status }).toEqual({ sqlstate, status: 201 });
    }
    const all = [...kafkaIds, ...httpIds];
    const counts = await until(
      () => recordedCounts(url, all),
      (c) => c.size === all.length,
      60_000,
    );
    const dead = await readTopic(`${topic}.dlq`, 1, 3_000);
    // The consumer met the faults (it paused for them) rather than missing them.
    const metrics = (await ledger.get('/metrics', 'ops')).body as string;
    const paused = Number(/ledger_kafka_retries_total\{reason="store-unavailable"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(paused).toBeGreaterThan(0);
    expect(metrics).not.toMatch(/ledger_kafka_retries_total\{reason="error"\}/);
    const figures = {
      faults,
      kafkaPauses: paused,
      sent: all.length,
      recorded: counts.size,
      duplicated: [...counts.values()].filter((n) => n > 1).length,
      deadLettered: dead.length,
    };
    process.stdout.write(`transient faults: ${JSON.stringify(figures)}\n`);
    expect(figures).toEqual({
      faults: states.length,
      kafkaPauses: paused,
      sent: states.length * 6,
      recorded: states.length * 6,
      duplicated: 0,
      deadLettered: 0,
    });
  });

  it('answers /health with its status only, and the details with the ops token', async () => {
    const topic = `ledger-health-${randomUUID().slice(0, 8)}`;
    const { ledger } = await start(topic);
    for (const role of [null, 'ingest', 'auditor', 'dpo'] as const) {
      const health = await ledger.get('/health', role);
      expect({ role, status: health.status, body: health.body }).toEqual({ role, status: 200, body: { status: 'ok' } });
    }
    const details = await ledger.get('/health', 'ops');
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({
      status: 'ok',
      store: { kind: 'postgres', ok: true },
      kafka: { configured: true, consuming: true, retrying: false, stalled: false, topic },
      projections: expect.any(Array),
    });
  });
});
