import { randomUUID } from 'node:crypto';
import { produce, readTopic } from '../support/kafka-client';
import { createTestDatabase } from '../support/test-database';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A value no answer, header or dead-letter message may quote. */
const SECRET = 'ola.nordmann@example.no';

type Raw = ReturnType<typeof envelope>;
/**
 * An envelope as JSON text, with `"forbidden"` keys renamed after stringify (an object literal's
 * `__proto__` sets its prototype).
 */
const text = (raw: Raw, forbidden?: string) => {
  const json = JSON.stringify(raw);
  return forbidden ? json.replaceAll('"forbidden":', `"${forbidden}":`) : json;
};
const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`contact.f${i}`, SECRET]));
const collected = (ref: string, extra: object = {}) =>
  envelope('data.collected', ref, {
    purpose: 'client-assignments',
    fields: { 'contact.email': SECRET },
    collectedFrom: 'processor',
    ...extra,
  });
const collectedWith = (ref: string, fieldValues: object) =>
  envelope('data.collected', ref, { purpose: 'client-assignments', fields: fieldValues, collectedFrom: 'processor' });

const REF_RULE = 'ref must not contain control, zero-width or bidirectional characters';

/**
 * Each bad input of CONTRACT §5 that an envelope can carry: the JSON text a sender sends for one
 * ref, and the detail the ledger answers with.
 */
const BAD_ENVELOPES: Array<[string, (ref: string) => string, { path: string | RegExp; message: string }]> = [
  [
    'JSON nested 5,000 deep in data.description',
    (ref) => {
      const deep = `${'['.repeat(5000)}"${SECRET}"${']'.repeat(5000)}`;
      return text(envelope('data.used', ref, { purpose: 'client-assignments', description: 'DEEP' })).replace(
        '"DEEP"',
        deep,
      );
    },
    { path: /^data\.description(\[0\]){14}$/, message: 'JSON must not be nested deeper than 16 levels' },
  ],
  [
    'a key named __proto__ in the envelope',
    (ref) => text({ ...collected(ref), forbidden: { id: randomUUID() } } as Raw, '__proto__'),
    { path: '__proto__', message: 'a key must not be named __proto__' },
  ],
  [
    'a key named constructor in the subject',
    (ref) => text({ ...collected(ref), subject: { ref, forbidden: SECRET } } as unknown as Raw, 'constructor'),
    { path: 'subject.constructor', message: 'a key must not be named constructor' },
  ],
  [
    'a key named prototype in data',
    (ref) => text(collected(ref, { forbidden: { polluted: true } }), 'prototype'),
    { path: 'data.prototype', message: 'a key must not be named prototype' },
  ],
  [
    '201 keys in data.fields',
    (ref) => text(collectedWith(ref, fields(201))),
    { path: 'data.fields', message: 'fields must have at most 200 keys' },
  ],
  [
    'a field value over 64 KiB',
    (ref) => text(collectedWith(ref, { 'documents.cv': `${SECRET} ${'x'.repeat(64 * 1024)}` })),
    { path: 'data.fields.documents.cv', message: 'text must be at most 64 KiB' },
  ],
  [
    'other text over 4 KiB',
    (ref) => text(envelope('restriction.placed', ref, { reason: `${SECRET} ${'x'.repeat(4096)}` })),
    { path: 'data.reason', message: 'text must be at most 4 KiB' },
  ],
  [
    'an array of 101 items',
    (ref) =>
      text(envelope('objection.raised', ref, { purposes: Array(101).fill('client-assignments'), grounds: SECRET })),
    { path: 'data.purposes', message: 'an array must have at most 100 items' },
  ],
  [
    'a NUL character',
    (ref) => text(collectedWith(ref, { 'contact.email': `${SECRET}\u0000` })),
    { path: 'data.fields.contact.email', message: 'text must not contain NUL characters' },
  ],
  [
    'a lone surrogate',
    (ref) => text(collectedWith(ref, { 'contact.name': `${SECRET}\ud800` })),
    { path: 'data.fields.contact.name', message: 'text must not contain a lone surrogate' },
  ],
  [
    'a ref with a control character',
    (ref) => text(collected(`${ref}\u0007`)),
    { path: 'subject.ref', message: REF_RULE },
  ],
  [
    'a ref with a zero-width space',
    (ref) => text(collected(`${ref}\u200b`)),
    { path: 'subject.ref', message: REF_RULE },
  ],
  [
    'a ref with a right-to-left override',
    (ref) => text(collected(`${ref}\u202e`)),
    { path: 'subject.ref', message: REF_RULE },
  ],
  [
    'a ref with a byte order mark',
    (ref) => text(collected(`${ref}\ufeff`)),
    { path: 'subject.ref', message: REF_RULE },
  ],
];

/**
 * Bad input of every kind of CONTRACT §5, through the built service: over HTTP a 400 that names
 * the path and never a 500; on the real broker a dead letter with error-code VALIDATION, and the
 * valid envelope behind it on the same partition recorded within 10 s.
 */
describe('bad input (built service, HTTP and the real broker, PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const topic = `ledger-test-bad-${run}`;
  let ledger: LedgerProcess;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    ledger = await LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: process.env.LEDGER_TEST_KAFKA_BROKERS!,
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: `${topic}-group`,
      KAFKA_LEDGER_TOPIC: `${topic}-ledger`,
    });
  });
  afterAll(async () => {
    await ledger?.stop();
    await drop?.();
  });

  const subjectOf = async (ref: string) => ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`);

  it.each(BAD_ENVELOPES)(
    'answers 400 validation over HTTP to %s, naming the path, never the value',
    async (_, bad, { path, message }) => {
      const ref = `webcruiter:candidate:http-${randomUUID().slice(0, 8)}`;
      const answer = await ledger.request('POST', '/v1/events', 'ingest', bad(ref));
      expect(answer).toEqual({
        status: 400,
        body: {
          error: 'validation',
          details: [{ path: typeof path === 'string' ? path : expect.stringMatching(path), message }],
        },
      });
      expect(JSON.stringify(answer.body)).not.toContain(SECRET);
      expect((await subjectOf(ref)).status).toBe(404);
    },
  );

  it('refuses a whole batch over one bad envelope in it, by its index', async () => {
    const ref = `webcruiter:candidate:batch-${run}`;
    const [, deep] = BAD_ENVELOPES[0]!;
    const body = `{"events":[${text(collected(ref))},${deep(ref)}]}`;
    const answer = await ledger.request('POST', '/v1/events', 'ingest', body);
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual([
      {
        path: expect.stringMatching(/^events\[1\]\.data\.description(\[0\])+$/),
        message: 'JSON must not be nested deeper than 16 levels',
      },
    ]);
    expect((await subjectOf(ref)).status).toBe(404);
    const extra = await ledger.post({ events: [collected(ref)], [SECRET]: 1, note: 2 });
    expect(extra).toEqual({
      status: 400,
      body: {
        error: 'validation',
        details: [
          { path: '*', message: 'unknown field *' },
          { path: 'note', message: 'unknown field note' },
        ],
      },
    });
    expect((await ledger.get('/health', null)).status).toBe(200);
  });

  it('answers 400 naming a query parameter given twice, on any route', async () => {
    expect(await ledger.get('/v1/subjects?ref=a:b:c&ref=a:b:d')).toEqual({
      status: 400,
      body: {
        error: 'validation',
        details: [{ path: 'ref', message: 'a query parameter must be given once, as text' }],
      },
    });
    const trail = await ledger.get(`/v1/subjects/${randomUUID()}/trail?reason=a&reason=b`);
    expect(trail).toEqual({
      status: 400,
      body: {
        error: 'validation',
        details: [{ path: 'reason', message: 'a query parameter must be given once, as text' }],
      },
    });
    expect((await ledger.get('/health?x=1&x=2', null)).status).toBe(400);
  });

  it('finds a person by a ref in either Unicode form (NFC); refuses invisible characters in the lookup', async () => {
    const decomposed = `webcruiter:candidate:Rene\u0301-${run}`;
    const precomposed = decomposed.normalize('NFC');
    const first = await ledger.post(collected(decomposed));
    expect(first.status).toBe(201);
    const second = await ledger.post(collected(precomposed));
    expect(second.body.results[0].subjectId).toBe(first.body.results[0].subjectId);
    for (const ref of [decomposed, precomposed])
      expect((await subjectOf(ref)).body).toEqual({ subjectId: first.body.results[0].subjectId });
    const state = await ledger.get(`/v1/subjects/${first.body.results[0].subjectId}`);
    expect(state.body.refs).toEqual([precomposed]);
    expect((await subjectOf(`${precomposed}\u200b`)).status).toBe(400);
  });

  it('dead-letters each bad envelope on Kafka (VALIDATION), records the valid one behind it within 10 s', async () => {
    // The consumer is in its group once a first envelope is recorded: the 10 s count from then on.
    const warmUp = `webcruiter:candidate:warm-${run}`;
    await produce(topic, [{ key: warmUp, value: text(collected(warmUp)) }]);
    for (let i = 0; i < 240 && (await subjectOf(warmUp)).status !== 200; i += 1) await sleep(250);
    expect((await subjectOf(warmUp)).status).toBe(200);

    const refs = BAD_ENVELOPES.map((_, i) => `webcruiter:candidate:kafka-${run}-${i}`);
    const values = BAD_ENVELOPES.map(([, bad], i) => bad(refs[i]!));
    // A dead letter's key is a keyed hash of the ref, and its values are sealed: the envelope id,
    // kept in clear, tells which bad envelope a letter is.
    const ids = values.map((value) => (JSON.parse(value) as { id: string }).id);
    const messages = BAD_ENVELOPES.flatMap((_, i) => [
      { key: refs[i]!, value: values[i]! },
      { key: refs[i]!, value: text(collectedWith(refs[i]!, { 'work.employer': 'Acme' })) },
    ]);
    await produce(topic, messages);
    const deadline = Date.now() + 10_000;
    const late: string[] = [];
    await Promise.all(
      refs.map(async (ref, i) => {
        while ((await subjectOf(ref)).status !== 200) {
          if (Date.now() > deadline) return void late.push(BAD_ENVELOPES[i]![0]);
          await sleep(100);
        }
      }),
    );
    expect(late).toEqual([]);

    // One more than expected, with a short wait: a dead letter published twice would show.
    const dead = await readTopic(`${topic}.dlq`, refs.length + 1, 8_000);
    const letterIds = dead.map((d) => (JSON.parse(d.value) as { id: string }).id);
    expect([...letterIds].sort()).toEqual([...ids].sort());
    for (const [n, letter] of dead.entries()) {
      expect(letter.headers['error-code']).toBe('VALIDATION');
      expect(refs).not.toContain(letter.key);
      expect(letter.value).not.toContain(SECRET);
      const [, , { message }] = BAD_ENVELOPES[ids.indexOf(letterIds[n]!)]!;
      expect(letter.headers['error-message']).toContain(message);
      expect(letter.headers['error-message']).not.toContain(SECRET);
    }
    expect((await ledger.get('/health', null)).status).toBe(200);
  });
});
