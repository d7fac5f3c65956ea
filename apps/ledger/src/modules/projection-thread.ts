import { join } from 'node:path';
import type { EventStore } from '#ledger/event-store';
import { ProjectionThread, type AnyProjectionRunner } from '#ledger/projections';
import type { ProjectionWorkerData } from './projection.worker';

export interface ProjectionThreadSpec {
  /** The runners prepared here: the thread keeps their projections, from their checkpoints. */
  readonly runners: readonly AnyProjectionRunner[];
  readonly store: EventStore;
  readonly data: ProjectionWorkerData;
  readonly log: (level: 'warn' | 'error', message: string) => void;
}

/**
 * The thread that keeps the service's projections (`projection.worker.ts`), woken by every append
 * here (other instances' appends reach it by NOTIFY). Not started: LedgerProjections starts it.
 */
export function projectionThread({ runners, store, data, log }: ProjectionThreadSpec): ProjectionThread {
  const thread = new ProjectionThread({
    file: join(__dirname, 'projection.worker.js'),
    workerData: data,
    projections: new Map(runners.map((r) => [r.projection.name, r.status().checkpoint])),
    compare: (a, b) => store.compare(a, b),
    log,
  });
  store.onAppended(() => thread.wake());
  return thread;
}
