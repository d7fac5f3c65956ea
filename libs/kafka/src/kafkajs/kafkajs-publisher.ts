import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import type { OutboundMessage, Publisher } from '../kafka.port';
import { kafkajsOptions, type KafkaConnection } from './connection';
import { javaCompatiblePartitioner } from './java-compatible-partitioner';

/**
 * Messages per produce request. kafkajs groups a request's messages per partition in time that
 * grows with the square of their number (each message copies its partition's list so far):
 * a page of 2,000 in one request took 5% of the projection thread's time (profiled). The requests
 * go one after another, so a person's messages keep their order; a page that fails part way is
 * published again whole, as any failed page is (at least once, each message with its event id).
 */
const SEND_CHUNK = 500;

/** An idempotent producer (acks from all in-sync replicas) for what the ledger publishes. */
export class KafkajsPublisher implements Publisher {
  private producer: Producer | null = null;
  private readonly kafka: Kafka;

  constructor(
    connection: KafkaConnection,
    clientId: string,
    private readonly log?: (line: string) => void,
  ) {
    this.kafka = new Kafka({
      ...kafkajsOptions(connection),
      clientId,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }) =>
          this.log?.(`kafka ${level}: ${entry.message}`),
    });
  }

  async publish(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.producer) {
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        createPartitioner: javaCompatiblePartitioner,
      });
      await this.producer.connect();
    }
    for (let i = 0; i < messages.length; i += SEND_CHUNK) {
      const chunk = messages.slice(i, i + SEND_CHUNK).map((m) => ({ ...m }));
      await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: chunk });
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
