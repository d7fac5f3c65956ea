import { BatchLoader } from '#ledger/common';
import { streamIdOf, subjectIdOf, type Policy } from '#ledger/domain';
import { PostgresEventStore, lastRevisionSql, type Checkpoint, type EventStore } from '#ledger/event-store';
import {
  createPool,
  safeErrorSummary,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type Pool,
} from '#ledger/postgres';
import {
  SubjectStateReader,
  SubjectTrailReader,
  type ProjectionDriver,
  type SubjectStateView,
} from '#ledger/projections';
import { Keyring } from '#ledger/crypto';
import { LedgerWriter, PostgresSubjectDirectory, type SubjectDirectory } from '#ledger/recording';
import { hostname } from 'node:os';
import {
  KafkajsPublisher,
  KafkajsSource,
  explainKafkaFailure,
  kafkaConnection,
  type KafkaConnection,
  type KafkaIngestor,
} from '#ledger/kafka';
import { AccessLog } from '../access-log/access-log';
import { openEventStore } from './event-store.factory';
import { projectionThread } from './projection-thread.factory';
import { serviceProjections } from './service-projections';
import type { LedgerConfig } from '../config/ledger-config';

/** Kafka, when KAFKA_BROKERS is set: the inbound source and the publication to downstream systems. */
export interface KafkaRuntime {
  readonly connection: KafkaConnection;
  readonly source: KafkajsSource;
  /** The publication downstream, in the projection thread or on this event loop. */
  readonly publication: ProjectionDriver;
  readonly publisher: KafkajsPublisher;
  ingestor: KafkaIngestor | null;
  consuming: boolean;
}

export interface RuntimeLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Everything the service runs on, built from the configuration without Nest: the database, the
 * event store, the writer, the projections and their readers. Nest providers hand these out.
 */
export class LedgerRuntime {
  /** The furthest write this instance has acknowledged (for the backpressure of POSTs). */
  private lastWrite: Checkpoint | null = null;
  // Concurrent reads ask the store for their subjects' last revisions in one statement.
  private readonly revisions = new BatchLoader<string, number>((streamIds) => this.store.streamRevisions(streamIds));

  private constructor(
    readonly config: LedgerConfig,
    readonly policy: Policy,
    readonly pool: Pool,
    readonly store: EventStore,
    readonly directory: SubjectDirectory,
    readonly keyring: Keyring,
    readonly writer: LedgerWriter,
    readonly runners: readonly ProjectionDriver[],
    readonly stateReader: SubjectStateReader,
    readonly trailReader: SubjectTrailReader,
    readonly accessLog: AccessLog,
    readonly kafka: KafkaRuntime | null,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  static async open(
    config: LedgerConfig,
    policy: Policy,
    masterKey: Buffer,
    logger: RuntimeLogger,
  ): Promise<LedgerRuntime> {
    let embedded: EmbeddedPostgres | null = null;
    let url = config.DATABASE_URL;
    if (config.LEDGER_STORE === 'embedded') {
      embedded = await startEmbeddedPostgres({ dataDir: config.LEDGER_DATA_DIR });
      url = embedded.url;
      logger.log(
        `embedded PostgreSQL running on 127.0.0.1:${embedded.port} (data in ${config.LEDGER_DATA_DIR}/postgres)`,
      );
    }
    try {
      const pool = createPool(url!, { max: config.LEDGER_PG_POOL_SIZE }, (error) =>
        logger.warn(`idle database connection lost: ${safeErrorSummary(error)}`),
      );
      // Events in KurrentDB when chosen; read models, keys and the ref index stay in PostgreSQL
      // (they need transactions with their checkpoints, deletes and keyed lookups).
      const store = await openEventStore(
        config.LEDGER_STORE === 'kurrentdb' ? config.KURRENTDB_URL! : url!,
        pool,
        true,
      );
      const keyring = await Keyring.open(pool, masterKey);
      const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
      const writer = new LedgerWriter({ store, directory, keyring, policy });
      const onError = (name: string, error: unknown) =>
        logger.error(`projection ${name} failed: ${safeErrorSummary(error)}`);
      const writes = config.LEDGER_ROLE === 'all';
      const accessLog = await AccessLog.open(pool, keyring);
      // The brokers, with TLS and SASL when configured.
      const connection = writes ? kafkaConnection(config) : null;
      const instanceId = config.LEDGER_INSTANCE_ID ?? `${hostname()}-${config.PORT}`;
      const publisherId = `processing-ledger-publisher-${instanceId}`;
      // With Kafka, the publication downstream (its producer connects on its first message).
      const publisher = connection ? new KafkajsPublisher(connection, publisherId, (line) => logger.warn(line)) : null;
      // One runner keeps the read models; the trail needs none (it is read from the store). Every
      // instance prepares their tables (it may start first); a read instance runs no projection and
      // no Kafka: the instances that record keep them.
      const inactivityMonths = policy.retention.inactivityMonths;
      const { readModel, publication } = serviceProjections(
        {
          store,
          pool,
          keyring,
          directory,
          inactivityMonths,
          publication: publisher && { publisher, topic: config.KAFKA_LEDGER_TOPIC },
        },
        { onError },
      );
      await readModel.prepare();
      await publication?.prepare();

      // The projections run in a worker thread (the default), or on this event loop.
      let runners: ProjectionDriver[] = [];
      let publicationDriver: ProjectionDriver | null = publication;
      if (writes && config.LEDGER_PROJECTION_THREAD === 'off') runners = [readModel];
      if (writes && config.LEDGER_PROJECTION_THREAD === 'on') {
        const thread = projectionThread({
          runners: [readModel, ...(publication ? [publication] : [])],
          store,
          data: {
            databaseUrl: url!,
            storeUrl: config.LEDGER_STORE === 'kurrentdb' ? config.KURRENTDB_URL! : url!,
            masterKey: masterKey.toString('base64'),
            inactivityMonths,
            ...(connection
              ? { publication: { connection, clientId: publisherId, topic: config.KAFKA_LEDGER_TOPIC } }
              : {}),
          },
          log: (level, message) => (level === 'warn' ? logger.warn(message) : logger.error(message)),
        });
        runners = [thread.driver(readModel.projection.name)];
        publicationDriver = publication ? thread.driver(publication.projection.name) : null;
      }
      let kafka: KafkaRuntime | null = null;
      if (connection) {
        const source = new KafkajsSource({
          connection,
          topic: config.KAFKA_TOPIC,
          groupId: config.KAFKA_GROUP_ID,
          instanceId,
          log: (line) => logger.warn(line),
        });
        kafka = {
          connection,
          source,
          publication: publicationDriver!,
          publisher: publisher!,
          ingestor: null,
          consuming: false,
        };
      }
      const runtime = new LedgerRuntime(
        config,
        policy,
        pool,
        store,
        directory,
        keyring,
        writer,
        runners,
        // With the events in the same database, a state read learns the stream's last revision in its own statement.
        new SubjectStateReader(pool, store instanceof PostgresEventStore ? lastRevisionSql : undefined),
        new SubjectTrailReader(store),
        accessLog,
        kafka,
        embedded,
      );
      runners.forEach((r) => r.start());
      kafka?.publication.start();
      return runtime;
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
  }

  /** Whether this instance records (LEDGER_ROLE=all) or only serves reads (LEDGER_ROLE=read). */
  get acceptsWrites(): boolean {
    return this.config.LEDGER_ROLE === 'all';
  }

  /** Read-your-writes: waits (bounded) until every projection shows the write at `checkpoint`. */
  async waitForProjections(checkpoint: string, timeoutMs: number): Promise<boolean> {
    const reached = await Promise.all(this.runners.map((r) => r.waitFor(checkpoint, timeoutMs)));
    return reached.every(Boolean);
  }

  /** Notes a write this instance acknowledged. */
  noteWrite(checkpoint: Checkpoint): void {
    if (this.store.compare(checkpoint, this.lastWrite) > 0) this.lastWrite = checkpoint;
  }

  /** The furthest write this instance has acknowledged, or null. */
  get latestWrite(): Checkpoint | null {
    return this.lastWrite;
  }

  /**
   * Read-your-writes, on the read: a subject's state as the read model shows it, once it shows
   * every event the store holds for that subject. A write acknowledged a moment ago (here or on
   * another instance) that the read model has not reached yet is waited for, bounded by
   * LEDGER_READ_YOUR_WRITES_MS; `freshness` says whether it waited, and whether the bound ran out.
   */
  async currentState(
    subjectId: string,
  ): Promise<{ view: SubjectStateView | null; freshness: 'current' | 'waited' | 'behind' }> {
    // The stream's last revision comes with the row (events in the same database), or from the store.
    const combined = this.stateReader.tellsRevisions;
    const [{ view, revision: withRow }, fromStore] = await Promise.all([
      this.stateReader.read(subjectId),
      combined ? undefined : this.revisions.load(streamIdOf(subjectId)),
    ]);
    const revision = combined ? withRow : fromStore;
    const shows = (v: SubjectStateView | null) => revision === undefined || (v?.version ?? 0) > revision;
    if (shows(view)) return { view, freshness: 'current' };
    const until = Date.now() + this.config.LEDGER_READ_YOUR_WRITES_MS;
    let latest = view;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      latest = await this.stateReader.get(subjectId);
      if (shows(latest)) return { view: latest, freshness: 'waited' };
    }
    return { view: latest, freshness: 'behind' };
  }

  /** The last revision of each of these subjects' streams, from the store (absent: no stream). */
  async subjectRevisions(subjectIds: readonly string[]): Promise<Map<string, number>> {
    const revisions = await this.store.streamRevisions(subjectIds.map(streamIdOf));
    return new Map([...revisions].map(([streamId, revision]) => [subjectIdOf(streamId), revision]));
  }

  /** Starts consuming the inbound topic; the batch handler is the ingestor's. */
  async startKafka(ingestor: KafkaIngestor, onCrash: (error: unknown) => void): Promise<void> {
    if (!this.kafka) return;
    this.kafka.ingestor = ingestor;
    const { connection } = this.kafka;
    await this.kafka.source.start(ingestor.handle).catch((failure: unknown) => {
      const error = explainKafkaFailure(failure, connection);
      onCrash(error);
      throw error;
    });
    this.kafka.consuming = true;
  }

  /** Kafka first (the batch in flight finishes and commits), then the feed readers, then the store. */
  async close(): Promise<void> {
    if (this.kafka) {
      this.kafka.consuming = false;
      await this.kafka.source.stop();
      await this.kafka.publication.stop();
      await this.kafka.publisher.close();
    }
    for (const runner of this.runners) await runner.stop();
    await this.store.close();
    await this.pool.end();
    await this.embedded?.stop();
  }
}
