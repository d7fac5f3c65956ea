import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type {
  ConsistencyProofDocument,
  InclusionProofDocument,
  PostgresTreeStore,
  TreeLog,
} from '#ledger/verifiable-log';
import { TREE_LOG, TREE_STORE } from '../modules/tokens';

/** The signed note of the latest checkpoint (no size), or of the tree of `treeSize`; null if never signed. */
export class GetCheckpointQuery extends Query<string | null> {
  constructor(readonly treeSize?: number) {
    super();
  }
}

export class GetVerifierKeyQuery extends Query<string> {}

/** An event's inclusion proof in the tree of `treeSize` (the latest signed if omitted); null if not in it. */
export class GetInclusionProofQuery extends Query<InclusionProofDocument | null> {
  constructor(
    readonly eventId: string,
    readonly treeSize?: number,
  ) {
    super();
  }
}

export class GetConsistencyProofQuery extends Query<ConsistencyProofDocument | null> {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    super();
  }
}

@QueryHandler(GetCheckpointQuery)
export class GetCheckpointHandler implements IQueryHandler<GetCheckpointQuery> {
  constructor(@Inject(TREE_STORE) private readonly tree: PostgresTreeStore) {}

  async execute({ treeSize }: GetCheckpointQuery): Promise<string | null> {
    const checkpoint =
      treeSize === undefined ? await this.tree.latestCheckpoint() : await this.tree.checkpoint(treeSize);
    return checkpoint?.note ?? null;
  }
}

@QueryHandler(GetVerifierKeyQuery)
export class GetVerifierKeyHandler implements IQueryHandler<GetVerifierKeyQuery> {
  constructor(@Inject(TREE_LOG) private readonly log: TreeLog) {}

  execute(): Promise<string> {
    return Promise.resolve(this.log.verifierKey);
  }
}

@QueryHandler(GetInclusionProofQuery)
export class GetInclusionProofHandler implements IQueryHandler<GetInclusionProofQuery> {
  constructor(@Inject(TREE_LOG) private readonly log: TreeLog) {}

  execute({ eventId, treeSize }: GetInclusionProofQuery): Promise<InclusionProofDocument | null> {
    return this.log.eventInclusion(eventId, treeSize);
  }
}

@QueryHandler(GetConsistencyProofQuery)
export class GetConsistencyProofHandler implements IQueryHandler<GetConsistencyProofQuery> {
  constructor(@Inject(TREE_LOG) private readonly log: TreeLog) {}

  execute({ from, to }: GetConsistencyProofQuery): Promise<ConsistencyProofDocument | null> {
    return this.log.consistency(from, to);
  }
}

export const VERIFIABLE_LOG_QUERY_HANDLERS = [
  GetCheckpointHandler,
  GetVerifierKeyHandler,
  GetInclusionProofHandler,
  GetConsistencyProofHandler,
];
