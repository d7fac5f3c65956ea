import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import type { OutboundMessage, Publisher } from '../kafka.port';

/** An idempotent producer (acks from all in-sync replicas) for what the ledger publishes. */
export class KafkajsPublisher implements Publisher {
  private producer: Producer | null = null;
  private readonly kafka: Kafka;

  constructor(brokers: readonly string[], clientId: string, private readonly log?: (line: string) => void) {
    this.kafka = new Kafka({
      clientId,
      brokers: [...brokers],
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log: entry }) => this.log?.(`kafka ${level}: ${entry.message}`),
    });
  }

  async publish(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.producer) {
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: messages.map((m) => ({ ...m })) });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}
