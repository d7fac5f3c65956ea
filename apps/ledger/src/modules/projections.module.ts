import { Logger, Module } from '@nestjs/common';
import { Keyring } from '#ledger/crypto';
import type { Policy } from '#ledger/domain';
import { lastRevisionSql, type EventStore } from '#ledger/event-store';
import { safeErrorSummary, type Pool } from '#ledger/postgres';
import { SubjectStateReader, SubjectTrailReader } from '#ledger/projections';
import type { SubjectDirectory } from '#ledger/recording';
import type { PostgresTreeStore } from '#ledger/verifiable-log';
import type { LedgerConfig } from '../config/ledger-config';
import { SubjectStates } from '../subjects/subject-states';
import type { DatabaseHost } from './database-host';
import { eventStoreUrl, eventsInDatabase } from './event-store';
import { CryptoModule } from './crypto.module';
import { KafkaModule, type KafkaParts } from './kafka.module';
import { LedgerProjections } from './ledger-projections';
import { projectionThread } from './projection-thread';
import { RecordingModule } from './recording.module';
import { serviceProjections } from './service-projections';
import { StoreModule } from './store.module';
import { VerifiableLogModule } from './verifiable-log.module';
import {
  DATABASE_HOST,
  EVENT_STORE,
  KAFKA,
  LEDGER_CONFIG,
  MASTER_KEY,
  POLICY,
  POOL,
  SUBJECT_DIRECTORY,
  TREE_STORE,
} from './tokens';

interface ProjectionParts {
  readonly config: LedgerConfig;
  readonly policy: Policy;
  readonly masterKey: Buffer;
  readonly host: DatabaseHost;
  readonly store: EventStore;
  readonly kafka: KafkaParts | null;
  readonly prepared: ReturnType<typeof serviceProjections>;
}

type Placement = 'elsewhere' | 'event-loop' | 'thread';

/**
 * Where the projections run, by role and LEDGER_PROJECTION_THREAD: a read instance runs none (the
 * recording instances keep them), a recording instance on its event loop or in a worker thread.
 */
const PLACEMENTS: Record<Placement, (parts: ProjectionParts) => LedgerProjections> = {
  elsewhere: () => new LedgerProjections([], null),
  'event-loop': ({ prepared }) =>
    new LedgerProjections([prepared.readModel], prepared.publication, prepared.tree, [prepared.compliance]),
  thread: ({ config, policy, masterKey, host, store, kafka, prepared }) => {
    const logger = new Logger('projections');
    const thread = projectionThread({
      runners: [
        prepared.readModel,
        prepared.tree,
        prepared.compliance,
        ...(prepared.publication ? [prepared.publication] : []),
      ],
      store,
      data: {
        databaseUrl: host.url,
        storeUrl: eventStoreUrl(config, host.url),
        masterKey: masterKey.toString('base64'),
        inactivityMonths: policy.retention.inactivityMonths,
        ...(kafka
          ? {
              publication: {
                connection: kafka.connection,
                clientId: kafka.publisherId,
                topic: config.KAFKA_LEDGER_TOPIC,
              },
            }
          : {}),
      },
      log: (level, message) => (level === 'warn' ? logger.warn(message) : logger.error(message)),
    });
    const publication = prepared.publication && thread.driver(prepared.publication.projection.name);
    const tree = thread.driver(prepared.tree.projection.name);
    const compliance = thread.driver(prepared.compliance.projection.name);
    return new LedgerProjections([thread.driver(prepared.readModel.projection.name)], publication, tree, [compliance]);
  },
};

const placementOf = (config: LedgerConfig): Placement =>
  config.LEDGER_ROLE !== 'all' ? 'elsewhere' : config.LEDGER_PROJECTION_THREAD === 'on' ? 'thread' : 'event-loop';

/** Every instance prepares the projections' tables (it may start first); the placement decides who runs them. */
async function openProjections(
  config: LedgerConfig,
  policy: Policy,
  masterKey: Buffer,
  host: DatabaseHost,
  store: EventStore,
  pool: Pool,
  keyring: Keyring,
  directory: SubjectDirectory,
  kafka: KafkaParts | null,
  tree: PostgresTreeStore,
): Promise<LedgerProjections> {
  const logger = new Logger('projections');
  const prepared = serviceProjections(
    {
      store,
      pool,
      keyring,
      directory,
      inactivityMonths: policy.retention.inactivityMonths,
      publication: kafka && { publisher: kafka.publisher, topic: config.KAFKA_LEDGER_TOPIC },
      tree,
    },
    { onError: (name, error) => logger.error(`projection ${name} failed: ${safeErrorSummary(error)}`) },
  );
  await prepared.readModel.prepare();
  await prepared.publication?.prepare();
  await prepared.tree.prepare();
  await prepared.compliance.prepare();
  return PLACEMENTS[placementOf(config)]({ config, policy, masterKey, host, store, kafka, prepared });
}

/** The projections and the read side over them: each person's state (read-your-writes) and trail. */
@Module({
  imports: [StoreModule, CryptoModule, RecordingModule, KafkaModule, VerifiableLogModule],
  providers: [
    {
      provide: LedgerProjections,
      inject: [
        LEDGER_CONFIG,
        POLICY,
        MASTER_KEY,
        DATABASE_HOST,
        EVENT_STORE,
        POOL,
        Keyring,
        SUBJECT_DIRECTORY,
        KAFKA,
        TREE_STORE,
      ],
      useFactory: openProjections,
    },
    {
      provide: SubjectStateReader,
      inject: [LEDGER_CONFIG, POOL],
      // With the events in the same database, a state read learns the stream's last revision in its own statement.
      useFactory: (config: LedgerConfig, pool: Pool) =>
        new SubjectStateReader(pool, eventsInDatabase(config) ? lastRevisionSql : undefined),
    },
    {
      provide: SubjectTrailReader,
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) => new SubjectTrailReader(store),
    },
    SubjectStates,
  ],
  exports: [LedgerProjections, SubjectStateReader, SubjectTrailReader, SubjectStates],
})
export class ProjectionsModule {}
