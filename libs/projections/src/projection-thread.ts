import { parentPort, Worker } from 'node:worker_threads';
import type { Checkpoint } from '#ledger/event-store';
import { safeErrorSummary } from '#ledger/postgres';
import { CheckpointWaiters } from './checkpoint-waiters';
import type {
  ProjectionDriver,
  AnyProjectionRunner,
  ProjectionRunnerOptions,
  ProjectionStatus,
} from './projection-runner';

/** `wake`: poll now; `awaited`: whether the owner has waiters (the runners poll often while so). */
type ToThread =
  { readonly type: 'wake' } | { readonly type: 'awaited'; readonly awaited: boolean } | { readonly type: 'stop' };
type FromThread =
  | { readonly type: 'status'; readonly status: ProjectionStatus }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly message: string };

export type ThreadLog = (level: 'warn' | 'error', message: string) => void;

export interface ProjectionThreadOptions {
  /** The script: it builds its runners and hands them to `serveProjectionThread`. */
  readonly file: string;
  /** What the script needs to build its runners (connection strings, keys): cloned, never logged. */
  readonly workerData: unknown;
  /** The projections the thread keeps, with their checkpoints as the thread starts. */
  readonly projections: ReadonlyMap<string, Checkpoint | null>;
  readonly compare: (a: Checkpoint | null, b: Checkpoint | null) => number;
  readonly log: ThreadLog;
  /** First delay before a thread that died is started again; doubles up to 30 s. @defaultValue 500 */
  readonly restartDelayMs?: number;
  /** How long `stop` waits for the batches in flight before it ends the thread. @defaultValue 15000 */
  readonly stopTimeoutMs?: number;
}

/**
 * Projections kept in a worker thread: their feed reads, folds and writes leave the event loop
 * that serves HTTP and records. The thread reports each projection's status after every poll;
 * read-your-writes waits on those reports. A thread that dies is started again with backoff, and
 * its runners resume from their durable checkpoints.
 */
export class ProjectionThread {
  private worker: Worker | null = null;
  private readonly current = new Map<string, ProjectionStatus>();
  private readonly waiters = new Map<string, CheckpointWaiters>();
  private stopped: Promise<void> | null = null;
  /** Deaths since the thread last made progress: the restart backoff grows with them. */
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  /** What the thread was last told: whether anyone waits. */
  private told = false;

  constructor(private readonly options: ProjectionThreadOptions) {
    for (const [name, checkpoint] of options.projections) {
      this.current.set(name, { name, checkpoint, running: false, lastError: null, lastBatchAt: null });
      this.waiters.set(name, new CheckpointWaiters(options.compare, () => this.awaited()));
    }
  }

  /** One projection of the thread, as the service drives it (start and stop act on the whole thread). */
  driver(name: string): ProjectionDriver {
    const waiters = this.waiters.get(name);
    if (!waiters) throw new Error(`projection ${name} is not kept by this thread`);
    return {
      start: () => this.start(),
      stop: () => this.stop(),
      waitFor: (checkpoint, timeoutMs) => {
        if (this.stopped)
          return Promise.resolve(this.options.compare(checkpoint, this.current.get(name)!.checkpoint) <= 0);
        const reached = waiters.wait(checkpoint, this.current.get(name)!.checkpoint, timeoutMs);
        if (waiters.waiting) this.wake();
        return reached;
      },
      status: () => this.current.get(name)!,
    };
  }

  start(): void {
    if (this.worker || this.stopped) return;
    // The young generation is small: the thread holds a batch or two at a time, and V8's default
    // (sized like the main thread's) only adds to the service's peak memory. The old generation's
    // limit is larger than the thread needs because V8 scales how far a heap may grow between two
    // mark-compacts with that limit: a low limit makes the thread mark its few live objects over
    // and over while ingesting.
    const resourceLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 2048 };
    const worker = new Worker(this.options.file, { workerData: this.options.workerData, resourceLimits });
    this.worker = worker;
    this.told = false;
    this.awaited();
    worker.on('message', (message: FromThread) => {
      if (message.type === 'log') return this.options.log(message.level, message.message);
      const { name, checkpoint } = message.status;
      if (this.options.compare(checkpoint, this.current.get(name)!.checkpoint) > 0) this.failures = 0;
      this.current.set(name, message.status);
      this.waiters.get(name)!.reached(checkpoint);
    });
    worker.on('error', (error) => {
      this.mark({ lastError: safeErrorSummary(error) });
      this.options.log('error', `projection thread failed: ${safeErrorSummary(error)}`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.mark({});
      if (this.stopped) return;
      const delay = Math.min((this.options.restartDelayMs ?? 500) * 2 ** this.failures, 30_000);
      this.failures += 1;
      this.options.log('warn', `projection thread exited (${code}); starting it again in ${delay} ms`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.start();
      }, delay);
      this.restartTimer.unref();
    });
  }

  /** Asks the thread to poll now (an append here, or a waiter). */
  wake(): void {
    this.worker?.postMessage({ type: 'wake' } satisfies ToThread);
  }

  /** Lets the batches in flight commit, then ends the thread (terminated if it does not end in time). */
  stop(): Promise<void> {
    this.stopped ??= this.end();
    return this.stopped;
  }

  private async end(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'stop' } satisfies ToThread);
      const timer = setTimeout(() => void worker.terminate(), this.options.stopTimeoutMs ?? 15_000);
      await exited;
      clearTimeout(timer);
    }
    this.waiters.forEach((w) => w.clear());
  }

  /** Tells the thread whether anyone waits, when that changes. */
  private awaited(): void {
    const awaited = [...this.waiters.values()].some((w) => w.waiting);
    if (awaited !== this.told) this.worker?.postMessage({ type: 'awaited', awaited } satisfies ToThread);
    this.told = awaited;
  }

  /** Every projection's status, changed by `change`, and not running (the thread is gone). */
  private mark(change: Partial<ProjectionStatus>): void {
    for (const [name, status] of this.current) this.current.set(name, { ...status, ...change, running: false });
  }
}

/** The hooks a thread's runners report through; `serveProjectionThread` passes them to `build`. */
export type ThreadHooks = Required<Pick<ProjectionRunnerOptions, 'onProgress' | 'onError'>> & {
  readonly log: ThreadLog;
};

/**
 * The worker's side: builds the runners with hooks that report to the owner, runs them, polls when
 * woken, and on `stop` lets the batches in flight commit, closes what `build` opened and ends.
 */
export async function serveProjectionThread(
  build: (hooks: ThreadHooks) => Promise<{ runners: readonly AnyProjectionRunner[]; close: () => Promise<void> }>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveProjectionThread runs in a worker thread');
  const post = (message: FromThread) => port.postMessage(message);
  const log: ThreadLog = (level, message) => post({ type: 'log', level, message });
  const { runners, close } = await build({
    log,
    onProgress: (status) => post({ type: 'status', status }),
    onError: (name, error) => log('error', `projection ${name} failed: ${safeErrorSummary(error)}`),
  }).catch((error: unknown) => {
    // The database unreachable, say: the rejection ends the thread, and its owner starts it again.
    log('error', `projection thread could not start: ${safeErrorSummary(error)}`);
    throw error;
  });
  port.on('message', (message: ToThread) => {
    if (message.type === 'wake') return runners.forEach((r) => r.wake());
    if (message.type === 'awaited') return runners.forEach((r) => r.setAwaited(message.awaited));
    void Promise.all(runners.map((r) => r.stop()))
      .then(close)
      .catch((error: unknown) => log('error', `projection thread: stopping failed: ${safeErrorSummary(error)}`))
      .finally(() => port.close());
  });
  for (const runner of runners) {
    runner.start();
    post({ type: 'status', status: runner.status() });
  }
}
