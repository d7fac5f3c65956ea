import { CheckpointWaiters } from './checkpoint-waiters';

const compare = (a: string | null, b: string | null) => Number(a ?? -1) - Number(b ?? -1);

describe('CheckpointWaiters', () => {
  it('resolves each wait once its checkpoint is reached, on timeout or at clear; says when anyone waits', async () => {
    const told: boolean[] = [];
    const waiters = new CheckpointWaiters(compare, (waiting) => told.push(waiting));

    expect(await waiters.wait('3', '5', 1000)).toBe(true);
    expect(told).toEqual([]);

    const four = waiters.wait('4', '1', 1000);
    const nine = waiters.wait('9', '1', 1000);
    const soon = waiters.wait('20', '1', 10);
    waiters.reached('4');
    expect(await four).toBe(true);
    expect(await soon).toBe(false);
    expect(waiters.waiting).toBe(true);
    waiters.clear();
    expect(await nine).toBe(false);
    expect(waiters.waiting).toBe(false);
    expect(told).toEqual([true, false]);
  });
});
