import type { Keyring } from '#ledger/crypto';
import { streamIdOf } from '#ledger/domain';
import { ErasureProjection, type Shredder } from '#ledger/erasure';
import type { EventStore } from '#ledger/event-store';
import { LedgerPublicationProjection, type Publisher } from '#ledger/kafka';
import type { Pool } from '#ledger/postgres';
import {
  BreachExposureProjection,
  BreachLogProjection,
  CompositeProjection,
  ComplianceProjection,
  ProcessingActivityProjection,
  ProjectionRunner,
  RequestRegisterProjection,
  SharedFeed,
  SubjectStateProjection,
  type ProjectionRunnerOptions,
} from '#ledger/projections';
import type { SubjectDirectory } from '#ledger/recording';
import { TreeProjection, treeFeed, type PostgresTreeStore } from '#ledger/verifiable-log';

export interface ServiceProjectionsDeps {
  readonly store: EventStore;
  readonly pool: Pool;
  readonly keyring: Keyring;
  readonly directory: SubjectDirectory;
  readonly inactivityMonths: number;
  /** With Kafka: the publication of what is recorded, without personal values, downstream. */
  readonly publication: { readonly publisher: Publisher; readonly topic: string } | null;
  /** The verifiable log's tree: every event a leaf, in feed order. */
  readonly tree: PostgresTreeStore;
}

/** How long the tree lets appends gather: well under the checkpoint interval's shortest sane value. */
const TREE_LINGER_MS = 250;

/**
 * The projections the service keeps, one runner each over one shared feed, wherever they run (the
 * projection thread, or the event loop): the read models, in one transaction per batch (each
 * person's state, the request register, the Art. 30 record's figures, the breach log and who each
 * breach could touch, and the shredding an erasure in the feed calls for, repeated from the feed
 * after a crash); the compliance checks' facts, on their own checkpoint, since no write waits for
 * them and a store with history fills them from position 0 without replaying the others; the
 * verifiable log's tree; and with Kafka the publication downstream.
 */
export function serviceProjections(deps: ServiceProjectionsDeps, options: Omit<ProjectionRunnerOptions, 'feed'>) {
  const { store, pool, keyring, directory } = deps;
  const feed = new SharedFeed(store);
  const shredder: Shredder = {
    destroyKeys: (ids) => keyring.destroyKeys(ids),
    destroyLiveKeys: (erasures) => keyring.destroyLiveKeys(erasures),
    readStream: (subjectId) => store.readStream(streamIdOf(subjectId)),
    forget: (id) => directory.forget(id),
  };
  const readModels = new CompositeProjection('subject-state', [
    new SubjectStateProjection(deps.inactivityMonths),
    new RequestRegisterProjection(),
    new ProcessingActivityProjection(),
    new ErasureProjection(shredder),
    new BreachLogProjection(),
    new BreachExposureProjection(),
  ]);
  return {
    readModel: new ProjectionRunner(store, pool, readModels, { ...options, feed }),
    compliance: new ProjectionRunner(store, pool, new ComplianceProjection(deps.inactivityMonths), {
      ...options,
      feed,
    }),
    publication: deps.publication
      ? new ProjectionRunner(
          store,
          pool,
          new LedgerPublicationProjection(deps.publication.publisher, deps.publication.topic),
          { ...options, feed },
        )
      : null,
    // Nobody waits on the tree between checkpoints but a proof's reader (who cuts the linger
    // short): it reads no event's content, and writes once for the appends of a moment.
    tree: new ProjectionRunner(store, pool, new TreeProjection(deps.tree), {
      ...options,
      feed: treeFeed(store),
      lingerMs: TREE_LINGER_MS,
    }),
  };
}
