import type { Checkpoint } from '#ledger/event-store';

/**
 * Those waiting for a projection to reach a checkpoint (read-your-writes): each resolves true once
 * `reached` moves at or past its checkpoint, false on its timeout or at `clear`.
 */
export class CheckpointWaiters {
  private waiters: Array<{ checkpoint: Checkpoint; resolve: (reached: boolean) => void }> = [];

  constructor(
    private readonly compare: (a: Checkpoint | null, b: Checkpoint | null) => number,
    /** Told when the count changes between none and some. */
    private readonly onWaiting: (waiting: boolean) => void = () => undefined,
  ) {}

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** Resolves at once when `current` is there already. */
  wait(checkpoint: Checkpoint, current: Checkpoint | null, timeoutMs: number): Promise<boolean> {
    if (this.compare(checkpoint, current) <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { checkpoint, resolve };
      this.update(() => this.waiters.push(waiter));
      setTimeout(() => {
        this.update(() => (this.waiters = this.waiters.filter((w) => w !== waiter)));
        resolve(false);
      }, timeoutMs).unref();
    });
  }

  reached(current: Checkpoint | null): void {
    const reached = this.waiters.filter((w) => this.compare(w.checkpoint, current) <= 0);
    if (reached.length === 0) return;
    this.update(() => (this.waiters = this.waiters.filter((w) => !reached.includes(w))));
    reached.forEach((w) => w.resolve(true));
  }

  clear(): void {
    const all = this.waiters;
    this.update(() => (this.waiters = []));
    all.forEach((w) => w.resolve(false));
  }

  private update(change: () => void): void {
    const before = this.waiting;
    change();
    if (this.waiting !== before) this.onWaiting(this.waiting);
  }
}
