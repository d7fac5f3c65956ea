/**
 * Lets the event loop breathe inside long synchronous work on a batch: every `every` items, wait
 * for one turn of the loop so that reads queued meanwhile are served (a 1,000-envelope batch
 * would otherwise hold the loop for tens of milliseconds).
 */
export const breathe = (i: number, every = 64): Promise<void> | undefined =>
  i > 0 && i % every === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined;
