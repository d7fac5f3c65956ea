import type { NodeId, NodeReader } from './merkle';
import { appendLeaves, EMPTY_FRONTIER, frontierRoot, type Frontier } from './tree-appender';

/**
 * A whole tree in memory, every complete subtree kept by level: for tests, and for a verifier that
 * rebuilds a small tree it was handed in full.
 */
export class MemoryTree implements NodeReader {
  private readonly levels: Buffer[][] = [[]];
  private frontier: Frontier = EMPTY_FRONTIER;

  constructor(leafHashes: readonly Buffer[] = []) {
    this.append(leafHashes);
  }

  get size(): number {
    return this.frontier.size;
  }

  append(leafHashes: readonly Buffer[]): void {
    const result = appendLeaves(this.frontier, leafHashes);
    leafHashes.forEach((hash, i) => (this.levels[0]![this.frontier.size + i] = hash));
    for (const node of result.nodes) (this.levels[node.level] ??= [])[node.index] = node.hash;
    this.frontier = result.frontier;
  }

  root(): Buffer {
    return frontierRoot(this.frontier);
  }

  async read(nodes: readonly NodeId[]): Promise<readonly Buffer[]> {
    return nodes.map(({ level, index }) => {
      const hash = this.levels[level]?.[index];
      if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
      return hash;
    });
  }
}
