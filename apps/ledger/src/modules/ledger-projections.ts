import type { Checkpoint } from '#ledger/event-store';
import type { ProjectionDriver } from '#ledger/projections';

/**
 * The projections this instance drives, wherever they run: the read models (each person's state,
 * and the shredding erasures call for) and, with Kafka, the publication downstream.
 */
export class LedgerProjections {
  constructor(
    readonly readModels: readonly ProjectionDriver[],
    readonly publication: ProjectionDriver | null,
    /** The verifiable log's tree: not waited for by a write (its leaves come a moment after). */
    readonly tree: ProjectionDriver | null = null,
    /** Read models nobody's write or read waits for (the compliance checks' facts), each at its own pace. */
    readonly followers: readonly ProjectionDriver[] = [],
  ) {}

  get all(): readonly ProjectionDriver[] {
    const tree = this.tree ? [this.tree] : [];
    return [...this.readModels, ...tree, ...this.followers, ...(this.publication ? [this.publication] : [])];
  }

  start(): void {
    this.all.forEach((driver) => driver.start());
  }

  /** Waits (bounded) until every read model shows the write at `checkpoint`; false if the bound ran out. */
  async show(checkpoint: Checkpoint, timeoutMs: number): Promise<boolean> {
    const reached = await Promise.all(this.readModels.map((r) => r.waitFor(checkpoint, timeoutMs)));
    return reached.every(Boolean);
  }
}
