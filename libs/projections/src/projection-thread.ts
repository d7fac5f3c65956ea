import { parentPort, Worker } from 'node:worker_threads';
import type { Checkpoint } from '#ledger/event-store';
import { safeErrorSummary } from '#ledger/postgres';
import type { ProjectionDriver, ProjectionRunner, ProjectionRunnerOptions, ProjectionStatus } from './projection-runner';

type ToThread = { readonly type: 'wake' } | { readonly type: 'stop' };
type FromThread =
  | { readonly type: 'status'; readonly status: ProjectionStatus }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly message: string };

export type ThreadLog = (level: 'warn' | 'error', message: string) => void;

export interface ProjectionThreadOptions {
  readonly name: string;
  /** The worker's script: it builds its runner and hands it to `serveProjectionThread`. */
  readonly file: string;
  /** What the script needs to build its runner (connection strings, keys): cloned, never logged. */
  readonly workerData: unknown;
  readonly checkpoint: Checkpoint | null;
  readonly compare: (a: Checkpoint | null, b: Checkpoint | null) => number;
  readonly log: ThreadLog;
  /** First delay before a thread that died is started again; doubles up to 30 s. @defaultValue 500 */
  readonly restartDelayMs?: number;
  /** How long `stop` waits for the batch in flight before it ends the thread. @defaultValue 15000 */
  readonly stopTimeoutMs?: number;
}

/**
 * A projection kept in a worker thread: its feed reads, folds and writes leave the event loop that
 * serves HTTP and records. The thread reports its status after every poll; read-your-writes waits
 * on those reports. A thread that dies is started again with backoff, from its durable checkpoint.
 */
export class ProjectionThread implements ProjectionDriver {
  private worker: Worker | null = null;
  private current: ProjectionStatus;
  private waiters: Array<{ checkpoint: Checkpoint; resolve: (reached: boolean) => void }> = [];
  private stopping = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ProjectionThreadOptions) {
    this.current = { name: options.name, checkpoint: options.checkpoint, running: false, lastError: null, lastBatchAt: null };
  }

  start(): void {
    if (this.worker || this.stopping) return;
    const worker = new Worker(this.options.file, { workerData: this.options.workerData });
    this.worker = worker;
    worker.on('message', (message: FromThread) => {
      if (message.type === 'log') return this.options.log(message.level, message.message);
      this.failures = 0;
      this.current = message.status;
      this.settle();
    });
    worker.on('error', (error) => {
      this.current = { ...this.current, running: false, lastError: safeErrorSummary(error) };
      this.options.log('error', `projection ${this.options.name}: its thread failed: ${safeErrorSummary(error)}`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.current = { ...this.current, running: false };
      if (this.stopping) return;
      const delay = Math.min((this.options.restartDelayMs ?? 500) * 2 ** this.failures, 30_000);
      this.failures += 1;
      this.options.log('warn', `projection ${this.options.name}: its thread exited (${code}); starting it again in ${delay} ms`);
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

  waitFor(checkpoint: Checkpoint, timeoutMs: number): Promise<boolean> {
    if (this.options.compare(checkpoint, this.current.checkpoint) <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { checkpoint, resolve };
      this.waiters.push(waiter);
      this.wake();
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs).unref();
    });
  }

  status(): ProjectionStatus {
    return this.current;
  }

  /** Lets the batch in flight commit, then ends the thread (terminated if it does not end in time). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'stop' } satisfies ToThread);
      const timer = setTimeout(() => void worker.terminate(), this.options.stopTimeoutMs ?? 15_000);
      await exited;
      clearTimeout(timer);
    }
    this.waiters.forEach((w) => w.resolve(false));
    this.waiters = [];
  }

  private settle(): void {
    const reached = this.waiters.filter((w) => this.options.compare(w.checkpoint, this.current.checkpoint) <= 0);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => !reached.includes(w));
    reached.forEach((w) => w.resolve(true));
  }
}

/** The hooks a thread's runner reports through; `serveProjectionThread` passes them to `build`. */
export type ThreadHooks = Required<Pick<ProjectionRunnerOptions, 'onProgress' | 'onError'>> & { readonly log: ThreadLog };

/**
 * The worker's side: builds the runner with hooks that report to the owner, runs it, polls when
 * woken, and on `stop` lets the batch in flight commit, closes what `build` opened and ends.
 */
export async function serveProjectionThread(build: (hooks: ThreadHooks) => Promise<{ runner: ProjectionRunner; close: () => Promise<void> }>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveProjectionThread runs in a worker thread');
  const post = (message: FromThread) => port.postMessage(message);
  const log: ThreadLog = (level, message) => post({ type: 'log', level, message });
  const { runner, close } = await build({
    log,
    onProgress: (status) => post({ type: 'status', status }),
    onError: (name, error) => log('error', `projection ${name} failed: ${safeErrorSummary(error)}`),
  });
  port.on('message', (message: ToThread) => {
    if (message.type === 'wake') return runner.wake();
    void runner
      .stop()
      .then(close)
      .catch((error: unknown) => log('error', `projection thread: stopping failed: ${safeErrorSummary(error)}`))
      .finally(() => port.close());
  });
  runner.start();
  post({ type: 'status', status: runner.status() });
}
