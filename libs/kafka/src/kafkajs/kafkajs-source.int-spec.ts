import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { produce } from '../../../../test/support/kafka-client';
import { TEST_KAFKA_BROKERS } from '../../../../test/support/kafka-broker';
import { KafkajsSource } from './kafkajs-source';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The source on the real broker: a consumer whose partition has lag and does not move is stalled. */
describe('KafkajsSource (real broker)', () => {
  it('reports itself stalled while its partition has lag and its position stays still, not once it moves', async () => {
    const topic = `ledger-stall-${randomUUID().slice(0, 8)}`;
    await produce(topic, [{ key: 'a', value: '{}' }], 1);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let batches = 0;
    const source = new KafkajsSource({
      connection: { brokers: TEST_KAFKA_BROKERS.split(',') },
      topic,
      groupId: `${topic}-group`,
      instanceId: 'stall-test',
      stallAfterMs: 1500,
    });
    await source.start(async () => {
      batches += 1;
      await held;
      return [];
    });
    try {
      for (let i = 0; i < 150 && batches === 0; i += 1) await sleep(100);
      expect(batches).toBe(1);
      expect(await source.lag()).toBe(1);
      expect(source.stalled).toBe(false);
      await sleep(2000);
      expect(await source.lag()).toBe(1);
      expect(source.stalled).toBe(true);
      release();
      let lag = 1;
      for (let i = 0; i < 100 && lag > 0; i += 1) {
        await sleep(100);
        lag = await source.lag();
      }
      expect(lag).toBe(0);
      expect(source.stalled).toBe(false);
    } finally {
      release();
      await source.stop();
    }
  });

  it('commits past records it never sees (an aborted transaction and its marker), so they leave no lag', async () => {
    const topic = `ledger-aborted-${randomUUID().slice(0, 8)}`;
    await produce(topic, [{ key: 'a', value: '{}' }], 1);
    const seen: string[] = [];
    const source = new KafkajsSource({
      connection: { brokers: TEST_KAFKA_BROKERS.split(',') },
      topic,
      groupId: `${topic}-group`,
      instanceId: 'aborted-test',
    });
    await source.start(async (messages) => {
      seen.push(...messages.map((m) => m.value!.toString()));
      return [];
    });
    const lagSettles = async () => {
      let lag = -1;
      for (let i = 0; i < 100 && lag !== 0; i += 1) {
        await sleep(100);
        lag = await source.lag();
      }
      return lag;
    };
    try {
      expect(await lagSettles()).toBe(0);
      // After the first message is consumed, so that the aborted records arrive in a batch of their own.
      const kafka = new Kafka({
        clientId: 'ledger-tests',
        brokers: TEST_KAFKA_BROKERS.split(','),
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer({
        transactionalId: `${topic}-upstream`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: [{ key: 'a', value: '{"aborted":true}' }] });
      await transaction.abort();
      await producer.disconnect();
      expect({ seen, lag: await lagSettles() }).toEqual({ seen: ['{}'], lag: 0 });
    } finally {
      await source.stop();
    }
  });
});
