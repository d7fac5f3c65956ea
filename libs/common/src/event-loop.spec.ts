import { breathe, resetSlice, SLICE_MS } from './event-loop';

/** Holds the thread for `ms` of wall time, as a costly item of batch work would. */
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('breathe', () => {
  it('lets other work in at least every SLICE_MS of batch work, however costly an item', async () => {
    resetSlice();
    const servedAt: number[] = [];
    let item = 0;
    // Another request waiting on the loop: it is served whenever the batch yields.
    const serve = () => {
      servedAt.push(item);
      if (item < 40) setImmediate(serve);
    };
    setImmediate(serve);
    for (; item < 40; item += 1) {
      await breathe();
      busy(1);
    }
    // Items of 1 ms: the batch holds the loop for about SLICE_MS, never for much longer.
    const runs = servedAt.slice(1).map((at, i) => at - servedAt[i]!);
    expect(servedAt.length).toBeGreaterThanOrEqual(40 / (SLICE_MS + 1));
    expect(Math.max(...runs)).toBeLessThanOrEqual(SLICE_MS + 1);
  });

  it('does not yield on cheap items that fit in one slice', async () => {
    resetSlice();
    let yields = 0;
    for (let i = 0; i < 1000; i += 1) {
      const pause = breathe();
      if (pause) {
        yields += 1;
        await pause;
      }
    }
    expect(yields).toBeLessThanOrEqual(1);
  });
});
