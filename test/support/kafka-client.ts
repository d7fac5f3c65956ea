import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkajsOptions, type KafkaConnection } from '../../libs/kafka/src/kafkajs/connection';
import { ensureTopics } from '../../libs/kafka/src/kafkajs/kafkajs-source';
import { TEST_KAFKA_BROKERS } from './kafka-broker';

/** The test broker; or another one, with its TLS and SASL, when a connection is given. */
const kafka = (connection: KafkaConnection = { brokers: TEST_KAFKA_BROKERS.split(',') }) =>
  new Kafka({ clientId: 'ledger-tests', ...kafkajsOptions(connection), logLevel: logLevel.NOTHING });

export interface TestMessage {
  readonly key: string;
  readonly value: string;
}

/** Produces messages in order (per key), in chunks, acknowledged by the broker. */
export async function produce(
  topic: string,
  messages: readonly TestMessage[],
  partitions = 6,
  connection?: KafkaConnection,
): Promise<void> {
  const admin = kafka(connection).admin();
  await admin.connect();
  await ensureTopics(admin, [topic], { numPartitions: partitions });
  await admin.disconnect();
  const producer = kafka(connection).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < messages.length; i += 2000) {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.slice(i, i + 2000).map((m) => ({ key: m.key, value: m.value })),
    });
  }
  await producer.disconnect();
}

export interface ReadMessage {
  readonly partition: number;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Reads a topic from the beginning (committed records only) until `count` arrive or `timeoutMs` passes. */
export async function readTopic(
  topic: string,
  count: number,
  timeoutMs = 30_000,
  connection?: KafkaConnection,
): Promise<ReadMessage[]> {
  const consumer: Consumer = kafka(connection).consumer({
    groupId: `ledger-tests-reader-${Date.now()}-${Math.random()}`,
    readUncommitted: false,
  });
  const seen: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.push({
        partition,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
      if (seen.length >= count) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return seen;
}
