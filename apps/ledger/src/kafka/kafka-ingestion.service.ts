import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { KafkaIngestor } from '#ledger/kafka';
import { safeErrorSummary } from '#ledger/postgres';
import { RecordEnvelopesCommand } from '../ingest/record-envelopes.command';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { LedgerRuntime } from '../runtime/ledger-runtime';

/**
 * Starts the Kafka consumer once the application is up (when KAFKA_BROKERS is set). Each batch
 * goes through the CommandBus like an HTTP post; the runtime stops the consumer first on shutdown.
 */
@Injectable()
export class KafkaIngestionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('kafka');

  constructor(
    @Inject(LedgerRuntime) private readonly runtime: LedgerRuntime,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.kafka) return;
    const ingestor = new KafkaIngestor({
      record: (envelopes) => this.commands.execute(new RecordEnvelopesCommand(envelopes, 'kafka')),
      onRecorded: (outcomes) => outcomes.forEach((o) => o.status !== 'rejected' && this.metrics.kafkaRecords.inc({ outcome: o.status })),
      onDeadLetter: (code) => {
        this.metrics.kafkaRecords.inc({ outcome: 'dead-lettered' });
        this.metrics.kafkaDeadLetters.inc({ code });
      },
      onRetry: (reason) => this.metrics.kafkaRetries.inc({ reason }),
      log: (line) => this.logger.warn(line),
    });
    await this.runtime.startKafka(ingestor, (error) => this.logger.error(`kafka consumer stopped: ${safeErrorSummary(error)}`));
    this.logger.log(`consuming ${this.runtime.config.KAFKA_TOPIC} as group ${this.runtime.config.KAFKA_GROUP_ID}`);
    const lag = setInterval(() => {
      this.runtime.kafka?.source
        .lag()
        .then((n) => this.metrics.kafkaLag.set(n))
        .catch(() => undefined);
    }, 5000);
    lag.unref();
  }
}
