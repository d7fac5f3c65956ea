import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkajsOptions, type KafkaConnection } from '../../libs/kafka/src/kafkajs/connection';
import { produce, readTopic } from '../support/kafka-client';
import { startSaslSslBroker, type SaslSslBroker } from '../support/sasl-kafka-broker';
import { createTestDatabase } from '../support/test-database';
import { LedgerProcess } from './support/ledger-process';
import { envelope } from './support/envelopes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a client with these options can list the broker's topics (one try, no retries). */
async function canListTopics(
  connection: KafkaConnection,
): Promise<{ ok: true; topics: string[] } | { ok: false; error: string; message: string }> {
  const admin = new Kafka({
    clientId: 'ledger-tests-intruder',
    ...kafkajsOptions(connection),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return { ok: true, topics: await admin.listTopics() };
  } catch (error) {
    return { ok: false, error: (error as Error).name, message: (error as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Kafka over TLS with SASL (SCRAM-SHA-512): a second broker of deploy/kafka that serves clients
 * only on a SASL_SSL listener, with its own CA. The built service consumes and publishes through
 * it; a wrong password stops the start; a client without the credentials gets nothing.
 */
describe('Kafka over SASL_SSL (built service, a second real broker)', () => {
  let broker: SaslSslBroker;
  const ledgers: LedgerProcess[] = [];
  const drops: Array<() => Promise<void>> = [];
  const topic = `ledger-sasl-${randomUUID().slice(0, 8)}`;
  const ledgerTopic = `${topic}-ledger`;

  beforeAll(async () => {
    broker = await startSaslSslBroker();
  }, 300_000);
  afterAll(async () => {
    for (const l of ledgers) await l.stop();
    for (const drop of drops) await drop();
    await broker?.stop();
  }, 120_000);

  const service = async (kafka: Record<string, string>) => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const ledger = await LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: db.url,
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: `${topic}-group`,
      KAFKA_LEDGER_TOPIC: ledgerTopic,
      // Events only on the ledger topic here; its checkpoints are verifiable-log.e2e-spec's.
      LEDGER_CHECKPOINT_INTERVAL_MS: '3600000',
      ...kafka,
    });
    ledgers.push(ledger);
    return ledger;
  };

  it('consumes an envelope from the inbound topic and publishes what it recorded, over TLS and SCRAM', async () => {
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const sent = envelope('data.collected', ref, {
      purpose: 'client-assignments',
      collectedFrom: 'subject',
      fields: { 'contact.email': 'ola.nordmann@example.no' },
    });
    await produce(topic, [{ key: ref, value: JSON.stringify(sent) }], 3, broker.connection);
    // The downstream topic made beforehand, as an operator would: a reader subscribing while the
    // publisher's first send creates it is refused until its partitions have leaders.
    await produce(ledgerTopic, [], 3, broker.connection);
    const ledger = await service(broker.env);

    let found = await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`);
    for (let i = 0; i < 150 && found.status === 404; i += 1) {
      await sleep(200);
      found = await ledger.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`);
    }
    expect(found.status).toBe(200);
    const { subjectId } = found.body as { subjectId: string };
    const state = await ledger.get(`/v1/subjects/${subjectId}`);
    expect(state.status).toBe(200);
    expect(state.body.data['contact.email']).toMatchObject({
      value: 'ola.nordmann@example.no',
      purpose: 'client-assignments',
    });

    // Published by the projection thread's own producer, read by a client with the same settings.
    const published = await readTopic(ledgerTopic, 1, 30_000, broker.connection);
    expect(published).toHaveLength(1);
    expect(published[0]!.headers['event-id']).toBe(sent.id);
    expect(published[0]!.key).toBe(subjectId);
    expect(published[0]!.value).not.toContain('ola.nordmann');
  });

  it('on a wrong password, stops with exit 1 naming KAFKA_SASL_USERNAME, never the password', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const failure = await service({ ...broker.env, KAFKA_SASL_PASSWORD: wrong, KAFKA_GROUP_ID: `${topic}-wrong` }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/^ledger exited with 1:/);
    expect(failure).toContain(
      'Kafka SASL authentication failed (KAFKA_SASL_MECHANISM=scram-sha-512): ' +
        'the brokers refused KAFKA_SASL_USERNAME with KAFKA_SASL_PASSWORD',
    );
    expect(failure).not.toContain(wrong);
    expect(failure).not.toContain(broker.password);
  });

  it('serves nothing without TLS, SASL, the right password or trust in the CA (all with PLAIN over TLS)', async () => {
    const own = `${topic}-private`;
    await produce(own, [{ key: 'k', value: 'v' }], 1, broker.connection);
    const withCredentials = await canListTopics(broker.connection);
    expect(withCredentials).toMatchObject({ ok: true });
    expect((withCredentials as { topics: string[] }).topics).toContain(own);

    const { brokers, ssl, sasl } = broker.connection;
    // The listener's PLAIN user is the same person as the SCRAM one.
    expect(
      await canListTopics({
        brokers,
        ssl: ssl!,
        sasl: { mechanism: 'plain', username: broker.username, password: broker.password },
      }),
    ).toMatchObject({ ok: true });
    expect(await canListTopics({ brokers })).toMatchObject({ ok: false });
    expect(await canListTopics({ brokers, ssl: ssl! })).toMatchObject({ ok: false });
    // The broker's certificate is checked: with the system's CAs alone it is not trusted.
    expect(await canListTopics({ brokers, ssl: true, sasl: sasl! })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/certificate/),
    });
    expect(await canListTopics({ brokers, sasl: sasl! })).toMatchObject({ ok: false });
    expect(await canListTopics({ brokers, ssl: ssl!, sasl: { ...sasl!, password: 'not-the-password' } })).toMatchObject(
      { ok: false, error: 'KafkaJSSASLAuthenticationError' },
    );
  });
});
