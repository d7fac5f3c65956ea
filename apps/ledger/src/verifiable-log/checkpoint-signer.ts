import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { safeErrorSummary, type Pool } from '#ledger/postgres';
import type { PostgresTreeStore, StoredCheckpoint, TreeLog } from '#ledger/verifiable-log';
import type { LedgerConfig } from '../config/ledger-config';
import type { KafkaParts } from '../modules/kafka.module';
import { KAFKA, LEDGER_CONFIG, POOL, TREE_LOG, TREE_STORE } from '../modules/tokens';
import { appendPendingAccess } from './access-leaves';

/**
 * On a recording instance, every LEDGER_CHECKPOINT_INTERVAL_MS: the access entries not yet in the
 * tree become leaves, then the tree is signed if it grew, kept, and published on the ledger topic
 * (`kind: checkpoint`, key: the origin). A failed tick is logged and the next one tries again.
 */
@Injectable()
export class CheckpointSigner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('verifiable-log');
  private timer: NodeJS.Timeout | null = null;
  /** The tick in flight, if any: a slow one is never queued behind (the next interval tries again). */
  private running: Promise<unknown> | null = null;

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(POOL) private readonly pool: Pool,
    @Inject(TREE_STORE) private readonly tree: PostgresTreeStore,
    @Inject(TREE_LOG) private readonly log: TreeLog,
    @Inject(KAFKA) private readonly kafka: KafkaParts | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.LEDGER_ROLE !== 'all') return;
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = null));
    }, this.config.LEDGER_CHECKPOINT_INTERVAL_MS);
    // The timer alone never keeps the process alive.
    this.timer.unref();
  }

  /** Before the pool and the producer close: no new tick, and the one in flight finished. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round: access entries in, a checkpoint signed and published if the tree grew. */
  async tick(): Promise<StoredCheckpoint | null> {
    try {
      await appendPendingAccess(this.pool, this.tree);
      const checkpoint = await this.log.signIfGrown();
      if (checkpoint) await this.publish(checkpoint);
      return checkpoint;
    } catch (error) {
      this.logger.error(`signing a checkpoint failed: ${safeErrorSummary(error)}`);
      return null;
    }
  }

  private async publish(checkpoint: StoredCheckpoint): Promise<void> {
    if (!this.kafka) return;
    await this.kafka.publisher.publish(this.config.KAFKA_LEDGER_TOPIC, [
      {
        key: this.log.origin,
        value: checkpoint.note,
        headers: { kind: 'checkpoint', treeSize: String(checkpoint.treeSize) },
      },
    ]);
  }
}
