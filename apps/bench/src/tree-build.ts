import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createPool } from '#ledger/postgres';
import { hashLeaf, PostgresTreeStore, verifyInclusion, type LeafInput } from '#ledger/verifiable-log';
import { percentile, round } from './stats';

/** The figures of one run of this process, which runs apart so that its peak RSS is the tree's alone. */
export interface TreeFigures {
  readonly leaves: number;
  readonly leavesPerSecond: number;
  readonly rssPeakMb: number;
  readonly proofs: { readonly count: number; readonly p50: number; readonly p99: number };
}

const BATCH = 10_000;

/** Batch after batch of leaves through the store's appender, as the tree projection adds them. */
async function build(store: PostgresTreeStore, leaves: number): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < leaves; from += BATCH) {
    const batch: LeafInput[] = [];
    for (let i = from; i < Math.min(leaves, from + BATCH); i++)
      batch.push({ kind: 'event', sourceId: `bench-${i}`, leafHash: hashLeaf(randomBytes(32)) });
    await store.append(batch);
  }
  return round(leaves / ((performance.now() - started) / 1000), 0);
}

/** Inclusion proofs for random leaves of the whole tree, one at a time, each checked against the root. */
async function proofLatencies(store: PostgresTreeStore, size: number, count: number) {
  const root = await store.rootAt(size);
  const latencies: number[] = [];
  for (let n = 0; n < count; n++) {
    const index = randomInt(size);
    const started = performance.now();
    const path = await store.inclusionProof(index, size);
    latencies.push(performance.now() - started);
    const [leaf] = await store.leaves(index, 1);
    if (!verifyInclusion(leaf!.leafHash, index, size, path, root)) throw new Error(`proof of leaf ${index} fails`);
  }
  latencies.sort((a, b) => a - b);
  return { count, p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2) };
}

/** `node tree-build.js <database url> <leaves> <proofs>`: prints one JSON line of TreeFigures. */
async function main(): Promise<void> {
  const [url, leavesArg, proofsArg] = process.argv.slice(2);
  const leaves = Number(leavesArg);
  const pool = createPool(url!, { max: 2 });
  try {
    const store = await PostgresTreeStore.open(pool);
    const leavesPerSecond = await build(store, leaves);
    const rssPeakMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const proofs = await proofLatencies(store, leaves, Number(proofsArg));
    const figures: TreeFigures = { leaves, leavesPerSecond, rssPeakMb, proofs };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await pool.end();
  }
}

/** Builds a tree of `leaves` on the database at `url` in a process of its own, and times proofs on it. */
export async function treeFigures(url: string, leaves: number, proofs: number): Promise<TreeFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [__filename, url, String(leaves), String(proofs)], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as TreeFigures;
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
