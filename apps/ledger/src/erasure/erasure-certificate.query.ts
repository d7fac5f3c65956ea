import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Keyring } from '#ledger/crypto';
import { certificateOf } from '#ledger/erasure';
import { SubjectTrailReader, type TrailIntegrity } from '#ledger/projections';
import type { PostgresTreeStore, TreeLog } from '#ledger/verifiable-log';
import { TREE_LOG, TREE_STORE } from '../modules/tokens';
import { certificateProof, type CertificateProof } from '../verifiable-log/certificate-proof';

export type ErasureCertificate = ReturnType<typeof certificateOf> & {
  readonly keysDestroyed: Awaited<ReturnType<Keyring['destroyedKeys']>>;
  readonly trailIntegrity: TrailIntegrity;
  /** Its `erasure.completed` event's inclusion proof and signed checkpoint; null until in a signed tree. */
  readonly proof: CertificateProof | null;
};

/** A person's erasure certificate, folded from their trail; null for an unknown subject. */
export class GetErasureCertificateQuery extends Query<ErasureCertificate | null> {
  constructor(readonly subjectId: string) {
    super();
  }
}

@QueryHandler(GetErasureCertificateQuery)
export class GetErasureCertificateHandler implements IQueryHandler<GetErasureCertificateQuery> {
  constructor(
    @Inject(SubjectTrailReader) private readonly trails: SubjectTrailReader,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(TREE_STORE) private readonly tree: PostgresTreeStore,
    @Inject(TREE_LOG) private readonly log: TreeLog,
  ) {}

  async execute({ subjectId }: GetErasureCertificateQuery): Promise<ErasureCertificate | null> {
    const { entries, integrity } = await this.trails.read(subjectId);
    if (entries.length === 0) return null;
    // Folded from the trail alone, so it says whether that trail verifies.
    return {
      ...certificateOf(subjectId, entries),
      keysDestroyed: await this.keyring.destroyedKeys(subjectId),
      trailIntegrity: integrity,
      proof: await certificateProof(entries, this.tree, this.log),
    };
  }
}
