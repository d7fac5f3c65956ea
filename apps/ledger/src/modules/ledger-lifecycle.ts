import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '#ledger/event-store';
import type { Pool } from '#ledger/postgres';
import type { PostgresTreeStore } from '#ledger/verifiable-log';
import { KafkaIngestionService } from '../kafka/kafka-ingestion.service';
import type { DatabaseHost } from './database-host';
import type { KafkaParts } from './kafka.module';
import { LedgerProjections } from './ledger-projections';
import { DATABASE_HOST, EVENT_STORE, KAFKA, POOL, TREE_STORE } from './tokens';

/**
 * Starts the projections once everything is built, and closes the parts in the one order that
 * loses nothing: Kafka first (the batch in flight finishes and commits), then the publication and
 * the read models (they finish their batch), then the store, the pool and the database server.
 */
@Injectable()
export class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(KafkaIngestionService) private readonly ingestion: KafkaIngestionService,
    @Inject(KAFKA) private readonly kafka: KafkaParts | null,
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TREE_STORE) private readonly tree: PostgresTreeStore,
    @Inject(POOL) private readonly pool: Pool,
    @Inject(DATABASE_HOST) private readonly host: DatabaseHost,
  ) {}

  onApplicationBootstrap(): void {
    this.projections.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ingestion.stop();
    await this.projections.publication?.stop();
    await this.kafka?.publisher.close();
    for (const readModel of this.projections.readModels) await readModel.stop();
    await this.projections.tree?.stop();
    for (const follower of this.projections.followers) await follower.stop();
    await this.store.close();
    await this.tree.close();
    await this.pool.end();
    await this.host.stop();
  }
}
