import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Checkpoint, EventStore } from '#ledger/event-store';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerProjections } from '../modules/ledger-projections';
import { EVENT_STORE, LEDGER_CONFIG } from '../modules/tokens';

/**
 * Backpressure for POSTs, not read-your-writes: a POST does not wait for the read model to show
 * its own write (a read of the subject waits for that, see SubjectStates), only for the writes
 * acknowledged before it began, so the read model trails the ingestion by at most the POSTs in
 * flight and the projection overlaps the next POSTs' work.
 */
@Injectable()
export class WriteBackpressure {
  private readonly logger = new Logger('ingest');
  /** The furthest write this instance has acknowledged. */
  private latest: Checkpoint | null = null;

  constructor(
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** Runs a write, then waits (bounded) until the read models show every write acknowledged before it. */
  async around<T extends { readonly checkpoint: Checkpoint | null }>(write: () => Promise<T>): Promise<T> {
    const earlier = this.latest;
    const result = await write();
    if (result.checkpoint !== null && this.store.compare(result.checkpoint, this.latest) > 0)
      this.latest = result.checkpoint;
    if (earlier !== null && !(await this.projections.show(earlier, this.config.LEDGER_READ_YOUR_WRITES_MS)))
      this.logger.warn(
        'read models did not show earlier writes within LEDGER_READ_YOUR_WRITES_MS; they are recorded and will show',
      );
    return result;
  }
}
