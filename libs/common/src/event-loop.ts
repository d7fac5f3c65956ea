/** How long one piece of batch work may hold the event loop before it lets other work in. */
export const SLICE_MS = 3;

let sliceStart = performance.now();

/**
 * Lets the event loop breathe inside long synchronous work on a batch: called once per item, it
 * yields one turn of the loop (so that reads and timers queued meanwhile are served) once the work
 * has held the loop for SLICE_MS, and costs one clock read otherwise. A budget in time rather than
 * in items holds on a slow machine as on a fast one, and whatever the cost of an item. Each batch
 * resumes with a slice of its own, in the order they yielded, so none starves another.
 */
export function breathe(): Promise<void> | undefined {
  if (performance.now() - sliceStart < SLICE_MS) return undefined;
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      sliceStart = performance.now();
      resolve();
    }),
  );
}

/** Starts a new slice now (for tests: the clock otherwise starts at the last yield). */
export function resetSlice(): void {
  sliceStart = performance.now();
}
