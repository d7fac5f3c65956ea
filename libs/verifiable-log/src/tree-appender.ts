import { composeRange, hashChildren, rangeNodes, type NodeId, type NodeReader } from './merkle';

/** A complete subtree and its hash: what the store keeps, once, when the tree first completes it. */
export interface TreeNode extends NodeId {
  readonly hash: Buffer;
}

/**
 * The right edge of a tree: its complete subtrees that have no complete parent yet, left to right
 * (one per set bit of `size`, largest first). With the next leaves it is all an append needs.
 */
export interface Frontier {
  readonly size: number;
  readonly nodes: readonly TreeNode[];
}

export const EMPTY_FRONTIER: Frontier = { size: 0, nodes: [] };

export interface AppendResult {
  readonly frontier: Frontier;
  /** The complete subtrees above the leaves (level ≥ 1) that the appended leaves completed. */
  readonly nodes: readonly TreeNode[];
}

/**
 * Appends leaf hashes to the tree whose right edge is `frontier`. Memory is the batch and the
 * edge: a tree of any size is built batch after batch, each batch's new nodes stored and dropped.
 */
export function appendLeaves(frontier: Frontier, leafHashes: readonly Buffer[]): AppendResult {
  const edge: TreeNode[] = [...frontier.nodes];
  const created: TreeNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    let node: TreeNode = { level: 0, index: size, hash: leaf };
    while (edge.length > 0 && edge[edge.length - 1]!.level === node.level) {
      const left = edge.pop()!;
      node = { level: node.level + 1, index: left.index / 2, hash: hashChildren(left.hash, node.hash) };
      created.push(node);
    }
    edge.push(node);
    size += 1;
  }
  return { frontier: { size, nodes: edge }, nodes: created };
}

/** The tree head (RFC 9162 MTH) of the tree whose right edge is `frontier`. */
export const frontierRoot = (frontier: Frontier): Buffer => composeRange(frontier.nodes.map((n) => n.hash));

/** The right edge of the stored tree of `size` leaves: a handful of reads, whatever the size. */
export async function readFrontier(reader: NodeReader, size: number): Promise<Frontier> {
  const ids = rangeNodes(0, size);
  const hashes = await reader.read(ids);
  return { size, nodes: ids.map((id, i) => ({ level: id.level, index: id.index, hash: hashes[i]! })) };
}
