import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Keyring } from '#ledger/crypto';
import type { InboundEnvelope } from '#ledger/domain';
import type { RecordResult } from '#ledger/recording';
import { KafkaIngestor, explainKafkaFailure } from '#ledger/kafka';
import { safeErrorSummary } from '#ledger/postgres';
import { RefusalCounts } from '../compliance/refusal-counts';
import type { LedgerConfig } from '../config/ledger-config';
import { RecordEnvelopes } from '../ingest/record-envelopes';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import type { KafkaParts } from '../modules/kafka.module';
import { KAFKA, LEDGER_CONFIG } from '../modules/tokens';

/** The purpose of the keyed hash that stands for a dead letter's record key (a ref). */
export const DEAD_LETTER_KEY_PURPOSE = 'dlq-key';
const HOUR = 3_600_000;

/**
 * Starts the Kafka consumer once the application is up (when KAFKA_BROKERS is set). Each batch
 * goes through the CommandBus like an HTTP post, each envelope on its own (the refused are
 * dead-lettered) and without waiting for the read models (offsets follow the store's commit). The
 * shutdown sequence stops the consumer first.
 * A recording instance also destroys the dead-letter keys past LEDGER_DLQ_RETENTION_DAYS, at start
 * and hourly, with or without Kafka (letters sealed before may still sit in the topic).
 */
@Injectable()
export class KafkaIngestionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('kafka');
  private readonly timers: NodeJS.Timeout[] = [];
  private ingestor: KafkaIngestor | null = null;
  /** Whether the consumer runs (for readiness). */
  consuming = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: KafkaParts | null,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(RefusalCounts) private readonly refusals: RefusalCounts,
  ) {}

  /** Whether a batch waits for the store to come back (for readiness). */
  get retrying(): boolean {
    return this.ingestor?.isRetrying ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.LEDGER_ROLE === 'all') {
      await this.expireDeadLetterKeys();
      this.every(HOUR, () => this.expireDeadLetterKeys());
    }
    if (this.kafka) await this.consume(this.kafka);
  }

  /** Stops consuming: the batch in flight finishes and commits. */
  async stop(): Promise<void> {
    this.consuming = false;
    await this.kafka?.source.stop();
  }

  onApplicationShutdown(): void {
    this.timers.forEach(clearInterval);
  }

  private async consume(kafka: KafkaParts): Promise<void> {
    const keyring = this.keyring;
    const ingestor = new KafkaIngestor({
      record: (envelopes) => this.recordEach(envelopes),
      deadLetters: {
        sealer: () => keyring.deadLetterSealer(),
        keyHash: (key) => keyring.mac(DEAD_LETTER_KEY_PURPOSE, key),
      },
      onRecorded: (outcomes) =>
        outcomes.forEach((o) => o.status !== 'rejected' && this.metrics.kafkaRecords.inc({ outcome: o.status })),
      onDeadLetter: (code) => {
        this.metrics.kafkaRecords.inc({ outcome: 'dead-lettered' });
        this.metrics.kafkaDeadLetters.inc({ code });
        void this.refusals.count(code);
      },
      onRetry: (reason) => this.metrics.kafkaRetries.inc({ reason }),
      log: (line) => this.logger.warn(line),
    });
    this.ingestor = ingestor;
    await kafka.source.start(ingestor.handle).catch((failure: unknown) => {
      const error = explainKafkaFailure(failure, kafka.connection);
      this.logger.error(`kafka consumer stopped: ${safeErrorSummary(error)}`);
      throw error;
    });
    this.consuming = true;
    this.logger.log(`consuming ${this.config.KAFKA_TOPIC} as group ${this.config.KAFKA_GROUP_ID}`);
    // The lag, and with it whether this instance's partitions are stalled (read by /health).
    this.every(5000, async () => this.metrics.kafkaLag.set(await kafka.source.lag()));
  }

  private async recordEach(envelopes: readonly InboundEnvelope[]): Promise<RecordResult> {
    const result = await this.commands.execute(new RecordEnvelopes(envelopes, 'each-on-its-own'));
    this.metrics.countOutcomes(envelopes, result, 'kafka');
    return result;
  }

  private every(ms: number, work: () => Promise<unknown>): void {
    const timer = setInterval(() => void work().catch(() => undefined), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async expireDeadLetterKeys(): Promise<void> {
    try {
      const days = this.config.LEDGER_DLQ_RETENTION_DAYS;
      const destroyed = await this.keyring.expireDeadLetterKeys(days);
      if (destroyed > 0) this.logger.log(`destroyed ${destroyed} dead-letter keys older than ${days} days`);
    } catch (error) {
      this.logger.warn(`dead-letter keys not expired (${safeErrorSummary(error)}); trying again within the hour`);
    }
  }
}
