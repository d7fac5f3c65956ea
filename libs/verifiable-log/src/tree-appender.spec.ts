import { hashLeaf, rootHash, type NodeId } from './merkle';
import { MemoryTree } from './memory-tree';
import {
  appendLeaves,
  EMPTY_FRONTIER,
  frontierRoot,
  readFrontier,
  type Frontier,
  type TreeNode,
} from './tree-appender';

const leafHashes = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => hashLeaf(Buffer.from(`leaf ${from + i}`)));
const popcount = (n: number) =>
  n
    .toString(2)
    .split('')
    .filter((b) => b === '1').length;

describe('appending leaves to the right edge of the tree', () => {
  it('emits every complete subtree exactly once, with the hash the whole tree has, batch after batch', async () => {
    const all = leafHashes(0, 777);
    const whole = new MemoryTree(all);
    let frontier: Frontier = EMPTY_FRONTIER;
    const emitted = new Map<string, Buffer>();
    for (const batch of [1, 2, 5, 64, 3, 200, 1, 0, 501]) {
      const take = Math.min(batch, all.length - frontier.size);
      const result = appendLeaves(frontier, all.slice(frontier.size, frontier.size + take));
      for (const node of result.nodes) {
        const key = `${node.level}:${node.index}`;
        expect([key, emitted.has(key)]).toEqual([key, false]);
        emitted.set(key, node.hash);
      }
      frontier = result.frontier;
      expect(frontier.nodes.length).toBe(popcount(frontier.size));
      expect(frontierRoot(frontier).equals(await rootHash(whole, frontier.size))).toBe(true);
    }
    expect(frontier.size).toBe(777);
    // 777 leaves complete 777 - popcount(777) inner nodes.
    expect(emitted.size).toBe(777 - popcount(777));
    const ids: NodeId[] = [...emitted.keys()].map((k) => ({
      level: Number(k.split(':')[0]),
      index: Number(k.split(':')[1]),
    }));
    const expected = await whole.read(ids);
    expect(ids.every((id, i) => emitted.get(`${id.level}:${id.index}`)!.equals(expected[i]!))).toBe(true);
  });

  it('restarts from the right edge read back from the stored subtrees', async () => {
    const all = leafHashes(0, 300);
    const whole = new MemoryTree(all);
    const edge = await readFrontier(whole, 123);
    expect(edge.nodes.map((n: TreeNode) => [n.level, n.index])).toEqual([
      [6, 0],
      [5, 2],
      [4, 6],
      [3, 14],
      [1, 60],
      [0, 122],
    ]);
    const resumed = appendLeaves(edge, all.slice(123)).frontier;
    expect(frontierRoot(resumed).equals(whole.root())).toBe(true);
  });

  it('builds a large tree keeping only the right edge between batches', () => {
    let frontier: Frontier = EMPTY_FRONTIER;
    let stored = 0;
    let largestBatchOutput = 0;
    for (let at = 0; at < 250_000; at += 10_000) {
      const result = appendLeaves(frontier, leafHashes(at, 10_000));
      stored += result.nodes.length;
      largestBatchOutput = Math.max(largestBatchOutput, result.nodes.length);
      frontier = result.frontier;
      expect(frontier.nodes.length).toBeLessThanOrEqual(18);
    }
    expect(frontier.size).toBe(250_000);
    expect(stored).toBe(250_000 - popcount(250_000));
    expect(largestBatchOutput).toBeLessThanOrEqual(10_000 + 20);
  });
});
