import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProjectionThread } from './projection-thread';

/**
 * The owner's side of a projection thread, with the real worker side (`serveProjectionThread`,
 * as built) around a stand-in runner: each wake applies one "event"; its checkpoint lives in
 * memory shared across restarts, as a real runner's lives in its table.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { serveProjectionThread } = require(workerData.lib);
const shared = new Int32Array(workerData.shared); // [starts, checkpoint, times told someone waits, told so now]
Atomics.add(shared, 0, 1);
void serveProjectionThread(async ({ onProgress }) => {
  // A second projection that never moves: reports are kept apart by name.
  const idle = {
    start() {}, async stop() {}, wake() {}, setAwaited() {},
    status: () => ({ name: 'idle', checkpoint: null, running: true, lastError: null, lastBatchAt: null }),
  };
  let running = false;
  const status = () => ({
    name: 'fake',
    checkpoint: String(Atomics.load(shared, 1)).padStart(4, '0'),
    running,
    lastError: null,
    lastBatchAt: null,
  });
  const runner = {
    start() { running = true; },
    async stop() { running = false; },
    setAwaited(awaited) {
      if (awaited) Atomics.add(shared, 2, 1);
      Atomics.store(shared, 3, awaited ? 1 : 0);
    },
    wake() {
      // Its first starts die without applying anything (a batch that brings the thread down).
      if (Atomics.load(shared, 0) <= (workerData.diesUnmoved ?? 0)) process.exit(4);
      const checkpoint = Atomics.add(shared, 1, 1) + 1;
      if (checkpoint === workerData.dieAt) process.exit(3);
      onProgress(status());
    },
    status,
  };
  return { runners: [runner, idle], close: async () => {} };
});
`;

describe('ProjectionThread', () => {
  // Made in beforeAll, not while collecting: a run filtered to other tests runs no afterAll here.
  let dir = '';
  let file = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-thread-'));
    file = join(dir, 'fake-projection.worker.js');
    writeFileSync(file, WORKER);
  });
  const afterDone: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const done of afterDone.splice(0)) await done();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A thread of the stand-in worker keeping `fake` and `idle`, restarted after a short pause, its logs in `logs`. */
  const fakeThread = (workerData: object, logs: string[]) =>
    new ProjectionThread({
      file,
      workerData: { lib: resolve(__dirname, '../../../dist/libs/projections/src/index.js'), ...workerData },
      projections: new Map([
        ['fake', null],
        ['idle', null],
      ]),
      compare: (a, b) => Number(a ?? -1) - Number(b ?? -1),
      log: (level, message) => logs.push(`${level}: ${message}`),
      restartDelayMs: 20,
    });

  it('waits longer before each start while the thread makes no progress', async () => {
    const logs: string[] = [];
    const thread = fakeThread({ shared: new SharedArrayBuffer(16), diesUnmoved: 3 }, logs);
    const fake = thread.driver('fake');
    fake.start();
    afterDone.push(() => fake.stop());
    // Appends keep waking it (the stand-in applies only when woken).
    const waited = fake.waitFor('0001', 5000);
    const appends = setInterval(() => thread.wake(), 10);
    afterDone.push(async () => clearInterval(appends));
    expect(await waited).toBe(true);
    expect(logs.map((l) => /in (\d+) ms/.exec(l)?.[1])).toEqual(['20', '40', '80']);
  });

  it('resolves waits from the reports, starts a thread that died again from its checkpoint, and stops', async () => {
    const shared = new SharedArrayBuffer(16);
    const counters = new Int32Array(shared);
    const logs: string[] = [];
    const thread = fakeThread({ shared, dieAt: 2 }, logs);
    const fake = thread.driver('fake');
    const idle = thread.driver('idle');
    fake.start();
    // A failed expectation must not leave the thread running (jest would wait for it).
    afterDone.push(() => fake.stop());

    expect(await fake.waitFor('0001', 5000)).toBe(true);
    expect(fake.status()).toMatchObject({ checkpoint: '0001', running: true });
    // Told that someone waited, then (once the wait was met) that nobody does.
    await new Promise((r) => setTimeout(r, 50));
    expect(Atomics.load(counters, 2)).toBeGreaterThanOrEqual(1);
    expect(Atomics.load(counters, 3)).toBe(0);

    // The thread dies applying the second; started again, it reports where its checkpoint is.
    expect(await fake.waitFor('0002', 5000)).toBe(true);
    expect(Atomics.load(counters, 0)).toBe(2);
    expect(logs).toEqual(['warn: projection thread exited (3); starting it again in 20 ms']);
    expect(fake.status()).toMatchObject({ checkpoint: '0002', running: true });

    expect(await idle.waitFor('0001', 100)).toBe(false);
    expect(idle.status()).toMatchObject({ name: 'idle', checkpoint: null, running: true });

    await Promise.all([fake.stop(), idle.stop()]);
    expect(fake.status().running).toBe(false);
    expect(idle.status().running).toBe(false);
    expect(await fake.waitFor('0009', 50)).toBe(false);
    expect(Atomics.load(counters, 0)).toBe(2);
  });
});
