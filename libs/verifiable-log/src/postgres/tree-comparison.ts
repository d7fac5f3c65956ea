import type { LeafKind } from '../leaves';
import { appendLeaves, EMPTY_FRONTIER, frontierRoot, type Frontier } from '../tree-appender';

/** A leaf recomputed from the record itself (an event's hash), in the order the tree took it. */
export interface RecomputedLeaf {
  readonly sourceId: string;
  readonly leafHash: Buffer;
}

/** The signed tree head a comparison is held against (a checkpoint whose signature was checked). */
export interface SignedTreeHead {
  readonly size: number;
  readonly rootHash: Buffer;
}

export type ComparisonResult =
  | {
      readonly ok: true;
      readonly treeSize: number;
      /** Whether the stored leaves agree too (false: the tree's own tables were altered). */
      readonly storedLeavesMatch: boolean;
    }
  | {
      readonly ok: false;
      /**
       * `differs`: the leaf at `logIndex` is not the one the tree stored; `missing`: the record
       * ends before the signed size; `root-differs`: the record and the tree's tables were
       * rewritten alike, so only the head tells (and no leaf can be named).
       */
      readonly reason: 'differs' | 'missing' | 'root-differs';
      readonly logIndex: number | null;
    };

/** The stored leaves of the tree, a page at a time, in log order. */
export interface StoredLeafPages {
  leaves(
    from: number,
    limit: number,
  ): Promise<readonly { logIndex: number; kind: LeafKind; sourceId: string; leafHash: Buffer }[]>;
}

/**
 * One sequence in tree order from one recomputed sequence per kind (events in feed order, access
 * entries in id order), taking the next of whichever kind the stored tree has at each index. Each
 * source keeps its own order in the tree, so an untouched record gives back the tree's exact
 * sequence; a changed one shifts or changes its own leaves, and a changed stored kind does too.
 */
export async function* interleaveAsStored(
  stored: StoredLeafPages,
  sources: Readonly<Record<LeafKind, AsyncIterable<RecomputedLeaf>>>,
  pageSize = 2000,
): AsyncIterable<RecomputedLeaf> {
  const iterators = {
    event: sources.event[Symbol.asyncIterator](),
    access: sources.access[Symbol.asyncIterator](),
  };
  try {
    for (let from = 0; ; from += pageSize) {
      const page = await stored.leaves(from, pageSize);
      for (const leaf of page) {
        const next = await iterators[leaf.kind].next();
        if (next.done) return;
        yield next.value;
      }
      if (page.length < pageSize) return;
    }
  } finally {
    await Promise.all([iterators.event.return?.(), iterators.access.return?.()]);
  }
}

/**
 * Recomputes the first `head.size` leaves from the record and holds them against the signed head
 * and against the stored leaves, which name the first leaf that differs. Memory is one page and
 * the right edge of the tree, whatever its size.
 */
export async function recomputeAndCompare(
  stored: StoredLeafPages,
  leavesInFeedOrder: AsyncIterable<RecomputedLeaf>,
  head: SignedTreeHead,
  pageSize = 2000,
): Promise<ComparisonResult> {
  let recomputed: Frontier = EMPTY_FRONTIER;
  let firstDiff: number | null = null;
  let pending: RecomputedLeaf[] = [];
  const flush = async () => {
    const start = recomputed.size;
    const page = pending.length === 0 ? [] : await stored.leaves(start, pending.length);
    pending.forEach((leaf, i) => {
      const kept = page[i];
      const same =
        kept?.logIndex === start + i && kept.sourceId === leaf.sourceId && kept.leafHash.equals(leaf.leafHash);
      if (!same && firstDiff === null) firstDiff = start + i;
    });
    recomputed = appendLeaves(
      recomputed,
      pending.map((l) => l.leafHash),
    ).frontier;
    pending = [];
  };
  let count = 0;
  for await (const leaf of leavesInFeedOrder) {
    if (count === head.size) break;
    pending.push(leaf);
    count += 1;
    if (pending.length === pageSize) await flush();
  }
  await flush();
  if (count < head.size)
    return { ok: false, reason: firstDiff === null ? 'missing' : 'differs', logIndex: firstDiff ?? count };
  if (frontierRoot(recomputed).equals(head.rootHash)) {
    return { ok: true, treeSize: head.size, storedLeavesMatch: firstDiff === null };
  }
  return firstDiff === null
    ? { ok: false, reason: 'root-differs', logIndex: null }
    : { ok: false, reason: 'differs', logIndex: firstDiff };
}
