import type { Checkpoint, EventStore, FeedHead, StoredEvent } from '#ledger/event-store';
import { migrate, safeErrorSummary, type Pool } from '#ledger/postgres';
import { CheckpointWaiters } from './checkpoint-waiters';
import type { Projection } from './projection';

/** Where a runner reads its pages of the feed: the store's, shared with other runners, or lighter. */
export interface FeedReader<T extends FeedHead> {
  read(after: Checkpoint | null, limit: number): Promise<T[]>;
}

export const PROJECTION_MIGRATIONS = [
  {
    version: 1,
    description: 'one checkpoint per projection',
    sql: `CREATE TABLE ledger_projections (
            name text PRIMARY KEY, checkpoint text, updated_at timestamptz NOT NULL DEFAULT now())`,
  },
  {
    version: 2,
    description: 'the trail is read from the event store: its copy and its checkpoint go',
    sql: `DROP TABLE IF EXISTS ledger_subject_trail, ledger_subject_trail_rebuild;
          DELETE FROM ledger_projections WHERE name = 'subject-trail';
          DO $$ BEGIN
            IF to_regclass('ledger_projection_rebuilds') IS NOT NULL THEN
              DELETE FROM ledger_projection_rebuilds WHERE name = 'subject-trail';
            END IF;
          END $$;`,
  },
];

export interface ProjectionRunnerOptions<T extends FeedHead = StoredEvent> {
  /** Events per transaction while catching up. @defaultValue 2000 */
  readonly batchSize?: number;
  /** Longest sleep between polls when no append was signalled. @defaultValue 1000 */
  readonly idleMs?: number;
  readonly onError?: (projection: string, error: unknown) => void;
  /**
   * A feed shared with other runners, so that one read serves them all, or one that reads less of
   * each event. Required for a projection of anything but whole stored events.
   * @defaultValue the store's `readFeed`
   */
  readonly feed?: FeedReader<T>;
  /**
   * How long the runner lets appends gather before it applies them, unless someone waits for its
   * checkpoint: a follower nobody waits on (the verifiable log's tree) then writes once for many
   * appends instead of once for each. @defaultValue 0
   */
  readonly lingerMs?: number;
  /** Told the status after every poll and every failure (a projection thread reports it to its owner). */
  readonly onProgress?: (status: ProjectionStatus) => void;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly checkpoint: Checkpoint | null;
  readonly running: boolean;
  readonly lastError: string | null;
  readonly lastBatchAt: string | null;
}

/** What the service needs of a projection it keeps current: in this thread (a runner) or in another. */
export interface ProjectionDriver {
  start(): void;
  stop(): Promise<void>;
  /** Resolves true once the projection has applied everything up to `checkpoint`, false on timeout. */
  waitFor(checkpoint: Checkpoint, timeoutMs: number): Promise<boolean>;
  status(): ProjectionStatus;
}

/**
 * Drives one projection from the store's durable feed. Several instances may run it: an advisory
 * lock lets one apply at a time, and each reads the checkpoint inside its transaction.
 */
export class ProjectionRunner<T extends FeedHead = StoredEvent> implements ProjectionDriver {
  private checkpoint: Checkpoint | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private signalled = false;
  /** Whether someone elsewhere (the owner of this runner's thread) waits for a checkpoint. */
  private awaited = false;
  private readonly waiters: CheckpointWaiters;
  private lastError: string | null = null;
  private lastBatchAt: string | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopLingering: (() => void) | null = null;
  private readonly feed: FeedReader<T>;
  private readonly options: ProjectionRunnerOptions<T>;

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    readonly projection: Projection<T>,
    ...[options = {}]: StoredEvent extends T
      ? [options?: ProjectionRunnerOptions<T>]
      : [options: ProjectionRunnerOptions<T> & { feed: FeedReader<T> }]
  ) {
    this.options = options;
    this.waiters = new CheckpointWaiters((a, b) => store.compare(a, b));
    // Without a feed of its own, T is StoredEvent or a part of it (the options' type says so).
    this.feed = options.feed ?? {
      read: (after, limit) => store.readFeed(after, limit) as Promise<unknown[]> as Promise<T[]>,
    };
  }

  /** Creates the checkpoint table and the read model's tables. */
  async prepare(): Promise<void> {
    await migrate(this.pool, 'projections', PROJECTION_MIGRATIONS);
    await migrate(this.pool, `projection:${this.projection.name}`, this.projection.migrations);
    await this.pool.query('INSERT INTO ledger_projections (name) VALUES ($1) ON CONFLICT DO NOTHING', [
      this.projection.name,
    ]);
    const { rows } = await this.pool.query<{ checkpoint: string | null }>(
      'SELECT checkpoint FROM ledger_projections WHERE name = $1',
      [this.projection.name],
    );
    this.checkpoint = rows[0]?.checkpoint ?? null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onAppended(() => this.wake());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.stopLingering?.();
    this.wake();
    await this.loop;
    this.waiters.clear();
  }

  /** Resolves true once the projection has applied everything up to `checkpoint`, false on timeout. */
  waitFor(checkpoint: Checkpoint, timeoutMs: number): Promise<boolean> {
    const reached = this.waiters.wait(checkpoint, this.checkpoint, timeoutMs);
    if (this.waiters.waiting) {
      this.stopLingering?.();
      this.wake();
    }
    return reached;
  }

  status(): ProjectionStatus {
    return {
      name: this.projection.name,
      checkpoint: this.checkpoint,
      running: this.running,
      lastError: this.lastError,
      lastBatchAt: this.lastBatchAt,
    };
  }

  /** Empties the read model and its checkpoint in one transaction; the loop refills it from 0. */
  async rebuild(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ledger-projection:${this.projection.name}`]);
      await this.projection.reset(client);
      await client.query('UPDATE ledger_projections SET checkpoint = NULL, updated_at = now() WHERE name = $1', [
        this.projection.name,
      ]);
      await client.query('COMMIT');
      this.checkpoint = null;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    this.wake();
  }

  /** Applies one batch if there is one; returns how many events it applied. */
  async step(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
        `ledger-projection:${this.projection.name}`,
      ]);
      if (!lock.rows[0]!.locked) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { rows } = await client.query<{ checkpoint: string | null }>(
        'SELECT checkpoint FROM ledger_projections WHERE name = $1',
        [this.projection.name],
      );
      const from = rows[0]?.checkpoint ?? null;
      const events = await this.feed.read(from, this.batchSize);
      if (events.length === 0) {
        await client.query('COMMIT');
        this.advance(from);
        return 0;
      }
      await this.projection.apply(events, client);
      const to = events[events.length - 1]!.checkpoint;
      await client.query('UPDATE ledger_projections SET checkpoint = $2, updated_at = now() WHERE name = $1', [
        this.projection.name,
        to,
      ]);
      await client.query('COMMIT');
      this.advance(to);
      this.lastBatchAt = new Date().toISOString();
      return events.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 2000;
  }

  private advance(checkpoint: Checkpoint | null): void {
    if (this.store.compare(checkpoint, this.checkpoint) > 0 || checkpoint === null) this.checkpoint = checkpoint;
    this.waiters.reached(this.checkpoint);
    this.options.onProgress?.(this.status());
  }

  /**
   * Whether someone elsewhere (the owner of this runner's thread) waits for a checkpoint: while so,
   * empty polls repeat quickly, as for this runner's own waiters (a page comes back short
   * while an older transaction runs, and its commit may wake nobody).
   */
  setAwaited(awaited: boolean): void {
    this.awaited = awaited;
    if (awaited) this.stopLingering?.();
  }

  /** Polls now rather than after the idle sleep (an append was signalled from elsewhere). */
  wake(): void {
    this.signalled = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    let caughtUp = false;
    while (this.running) {
      if (caughtUp) await this.linger();
      this.signalled = false;
      try {
        const applied = await this.step();
        caughtUp = applied < this.batchSize;
        if (this.lastError !== null) {
          this.lastError = null;
          this.options.onProgress?.(this.status());
        }
        backoff = 100;
        if (applied > 0) continue;
      } catch (error) {
        this.lastError = safeErrorSummary(error);
        this.options.onError?.(this.projection.name, error);
        this.options.onProgress?.(this.status());
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
        continue;
      }
      if (!this.signalled) await this.sleep(this.waiters.waiting || this.awaited ? 20 : (this.options.idleMs ?? 1000));
    }
  }

  /** Lets appends gather before the next batch; cut short by a waiter, and by stop. */
  private async linger(): Promise<void> {
    const ms = this.options.lingerMs ?? 0;
    if (ms <= 0 || !this.running || this.waiters.waiting || this.awaited) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopLingering = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopLingering = done;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}

/** A runner, whatever it reads of each event: the projection thread and the service drive them alike. */
export type AnyProjectionRunner = ProjectionRunner | ProjectionRunner<FeedHead>;
