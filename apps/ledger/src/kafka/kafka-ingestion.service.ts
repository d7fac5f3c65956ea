import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { KafkaIngestor } from '#ledger/kafka';
import { safeErrorSummary } from '#ledger/postgres';
import { RecordEnvelopesCommand } from '../ingest/record-envelopes.command';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { LedgerRuntime } from '../runtime/ledger-runtime';

/** The purpose of the keyed hash that stands for a dead letter's record key (a ref). */
export const DEAD_LETTER_KEY_PURPOSE = 'dlq-key';
const HOUR = 3_600_000;

/**
 * Starts the Kafka consumer once the application is up (when KAFKA_BROKERS is set). Each batch
 * goes through the CommandBus like an HTTP post; the runtime stops the consumer first on shutdown.
 * A recording instance also destroys the dead-letter keys past LEDGER_DLQ_RETENTION_DAYS, at start
 * and hourly, with or without Kafka (letters sealed before may still sit in the topic).
 */
@Injectable()
export class KafkaIngestionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('kafka');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(LedgerRuntime) private readonly runtime: LedgerRuntime,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.runtime.acceptsWrites) {
      await this.expireDeadLetterKeys();
      this.every(HOUR, () => this.expireDeadLetterKeys());
    }
    if (!this.runtime.kafka) return;
    const { keyring } = this.runtime;
    const ingestor = new KafkaIngestor({
      record: (envelopes) => this.commands.execute(new RecordEnvelopesCommand(envelopes, 'kafka')),
      deadLetters: {
        sealer: () => keyring.deadLetterSealer(),
        keyHash: (key) => keyring.mac(DEAD_LETTER_KEY_PURPOSE, key),
      },
      onRecorded: (outcomes) =>
        outcomes.forEach((o) => o.status !== 'rejected' && this.metrics.kafkaRecords.inc({ outcome: o.status })),
      onDeadLetter: (code) => {
        this.metrics.kafkaRecords.inc({ outcome: 'dead-lettered' });
        this.metrics.kafkaDeadLetters.inc({ code });
      },
      onRetry: (reason) => this.metrics.kafkaRetries.inc({ reason }),
      log: (line) => this.logger.warn(line),
    });
    await this.runtime.startKafka(ingestor, (error) =>
      this.logger.error(`kafka consumer stopped: ${safeErrorSummary(error)}`),
    );
    this.logger.log(`consuming ${this.runtime.config.KAFKA_TOPIC} as group ${this.runtime.config.KAFKA_GROUP_ID}`);
    // The lag, and with it whether this instance's partitions are stalled (read by /health).
    this.every(5000, async () => this.metrics.kafkaLag.set(await this.runtime.kafka!.source.lag()));
  }

  onApplicationShutdown(): void {
    this.timers.forEach(clearInterval);
  }

  private every(ms: number, work: () => Promise<unknown>): void {
    const timer = setInterval(() => void work().catch(() => undefined), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async expireDeadLetterKeys(): Promise<void> {
    try {
      const destroyed = await this.runtime.keyring.expireDeadLetterKeys(this.runtime.config.LEDGER_DLQ_RETENTION_DAYS);
      if (destroyed > 0)
        this.logger.log(
          `destroyed ${destroyed} dead-letter keys older than ${this.runtime.config.LEDGER_DLQ_RETENTION_DAYS} days`,
        );
    } catch (error) {
      this.logger.warn(`dead-letter keys not expired (${safeErrorSummary(error)}); trying again within the hour`);
    }
  }
}
