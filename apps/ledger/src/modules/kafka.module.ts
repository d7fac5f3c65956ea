import { Module } from '@nestjs/common';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { KafkajsPublisher, KafkajsSource, kafkaConnection, type KafkaConnection } from '#ledger/kafka';
import type { LedgerConfig } from '../config/ledger-config';
import { KafkaIngestionService } from '../kafka/kafka-ingestion.service';
import { CryptoModule } from './crypto.module';
import { KAFKA, LEDGER_CONFIG } from './tokens';

/** The brokers, when this instance records and KAFKA_BROKERS is set: the inbound topic and the ledger topic. */
export interface KafkaParts {
  readonly connection: KafkaConnection;
  readonly source: KafkajsSource;
  /** The publication downstream (its producer connects on its first message). */
  readonly publisher: KafkajsPublisher;
  /** The producer's client id, for the projection thread's own producer. */
  readonly publisherId: string;
}

/** A read instance neither consumes nor publishes: the instances that record do. */
function openKafka(config: LedgerConfig): KafkaParts | null {
  const connection = config.LEDGER_ROLE === 'all' ? kafkaConnection(config) : null;
  if (!connection) return null;
  const logger = new Logger('kafka');
  const instanceId = config.LEDGER_INSTANCE_ID ?? `${hostname()}-${config.PORT}`;
  const publisherId = `processing-ledger-publisher-${instanceId}`;
  const log = (line: string) => logger.warn(line);
  const source = new KafkajsSource({
    connection,
    topic: config.KAFKA_TOPIC,
    groupId: config.KAFKA_GROUP_ID,
    instanceId,
    log,
  });
  return { connection, source, publisher: new KafkajsPublisher(connection, publisherId, log), publisherId };
}

/** Kafka: the parts (null without brokers), and the ingestion that consumes the inbound topic. */
@Module({
  imports: [CryptoModule],
  providers: [{ provide: KAFKA, inject: [LEDGER_CONFIG], useFactory: openKafka }, KafkaIngestionService],
  exports: [KAFKA, KafkaIngestionService],
})
export class KafkaModule {}
