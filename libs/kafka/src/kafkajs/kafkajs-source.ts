import {
  CompressionTypes,
  ConfigResourceTypes,
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Producer,
} from 'kafkajs';
import {
  DEAD_LETTER_SUFFIX,
  type BatchHandler,
  type DeadLetter,
  type InboundMessage,
  type InboundSource,
} from '../kafka.port';
import { kafkajsOptions, type KafkaConnection } from './connection';
import { javaCompatiblePartitioner } from './java-compatible-partitioner';

export interface KafkajsSourceOptions {
  /** The brokers, and TLS and SASL when configured (`kafkaConnection`). */
  readonly connection: KafkaConnection;
  readonly topic: string;
  readonly groupId: string;
  /** Unique per instance: fences a zombie of this instance's transactional producer. */
  readonly instanceId: string;
  /** Partitions handled at once by this instance. @defaultValue 2 */
  readonly concurrency?: number;
  /**
   * How long the group's position may stay still while this instance's partitions have lag before
   * it counts as stalled. @defaultValue 60000
   */
  readonly stallAfterMs?: number;
  readonly log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the topics that do not exist, and waits until every partition of each has a leader.
 * Two instances starting together both find a topic missing; the one whose create comes second
 * is answered at once, before the leaders are elected, and its consumer then failed with
 * UNKNOWN_TOPIC_OR_PARTITION and stopped the service (seen once in CI). A broker electing the
 * leaders of a topic it has just created may answer the same while asked for them, which
 * kafkajs's own wait (`waitForLeaders`) does not retry (seen in a test): the wait is here.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  { numPartitions, attempts = 50 }: { numPartitions?: number; attempts?: number } = {},
): Promise<void> {
  const existing = await admin.listTopics();
  const missing = topics.filter((t) => !existing.includes(t));
  if (missing.length > 0) {
    await admin.createTopics({
      topics: missing.map((topic) => (numPartitions ? { topic, numPartitions } : { topic })),
      waitForLeaders: false,
    });
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (
        found.length === topics.length &&
        found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt >= attempts) throw error;
    }
    if (attempt >= attempts)
      throw new Error(`kafka topics ${topics.join(', ')} have partitions without a leader after ${attempts} tries`);
    await sleep(200);
  }
}

/** Tries of the start (about a minute with the backoff) before a retriable failure stops the service. */
const START_ATTEMPTS = 10;

/** Tries of one batch's transaction before the batch is given up to redelivery. */
const TRANSACTION_ATTEMPTS = 8;

const headersOf = (headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : (v ?? ''))]));

/** The dead-letter topic's record size when the broker does not say (Kafka's own default). */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
/** Bytes of a record batch and of one record beyond its key, value and headers, with room to spare. */
const BATCH_OVERHEAD = 128;
const RECORD_OVERHEAD = 64;

/** The error types of a kafkajs error and of the errors it wraps. */
const errorTypes = (error: unknown): string[] => {
  if (typeof error !== 'object' || error === null) return [];
  const { type, cause, errors } = error as { type?: string; cause?: unknown; errors?: unknown[] };
  return [...(type ? [type] : []), ...errorTypes(cause), ...(errors ?? []).flatMap(errorTypes)];
};
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** A dead letter's record: its sealed key and value, and headers that quote nothing of the input. */
const recordOf = (letter: DeadLetter, cut: boolean) => ({
  key: letter.key,
  value: cut ? letter.cutDown : letter.value,
  headers: {
    'error-code': letter.code,
    'error-message': letter.reason,
    'origin-topic': letter.message.topic,
    'origin-partition': String(letter.message.partition),
    'origin-offset': letter.message.offset,
  },
});
type LetterRecord = ReturnType<typeof recordOf>;

const sizeOf = (record: LetterRecord) =>
  RECORD_OVERHEAD +
  Buffer.byteLength(record.key ?? '') +
  Buffer.byteLength(record.value) +
  Object.entries(record.headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 8, 0);

/**
 * The letters as produce requests whose record batches each fit `maxBytes`: a letter that alone
 * does not fit (or every letter, once the broker refused one as too large) goes cut down.
 */
export function deadLetterChunks(letters: readonly DeadLetter[], maxBytes: number, cutAll = false): LetterRecord[][] {
  const limit = maxBytes - BATCH_OVERHEAD;
  const chunks: LetterRecord[][] = [];
  let chunk: LetterRecord[] = [];
  let bytes = 0;
  for (const letter of letters) {
    let record = recordOf(letter, cutAll);
    if (sizeOf(record) > limit) record = recordOf(letter, true);
    const size = sizeOf(record);
    if (chunk.length > 0 && (bytes + size > limit || cutAll)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The inbound topic through kafkajs: a consumer group reading `eachBatch`, offsets never
 * auto-committed; each batch's offsets and dead letters committed in one transaction of a
 * transactional producer, so that offsets move only after the store has committed, and a dead
 * letter is published exactly when its offset is.
 */
export class KafkajsSource implements InboundSource {
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private transactions: Promise<void> = Promise.resolve();
  private deadLetterMaxBytes = DEFAULT_MAX_MESSAGE_BYTES;
  /** This instance's partitions of the topic (null until it has joined the group). */
  private assigned: number[] | null = null;
  private lastMovedAt = Date.now();
  private stalledNow = false;

  constructor(private readonly options: KafkajsSourceOptions) {
    this.kafka = new Kafka({
      ...kafkajsOptions(options.connection),
      clientId: `processing-ledger-${options.instanceId}`,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) =>
          options.log?.(`kafka ${level}: ${log.message}`),
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
  }

  /**
   * Connects, subscribes and starts consuming. A retriable failure on the way (a broker still
   * electing leaders, a topic another instance is creating) is retried with backoff for about a
   * minute, the clients made so far closed first; anything else is thrown at once.
   */
  async start(handler: BatchHandler): Promise<void> {
    for (let attempt = 1, delay = 500; ; attempt += 1, delay = Math.min(delay * 2, 10_000)) {
      try {
        return await this.startOnce(handler);
      } catch (error) {
        await this.stop().catch(() => undefined);
        if (!(error as { retriable?: boolean }).retriable || attempt >= START_ATTEMPTS) throw error;
        this.options.log?.(`kafka: start failed (${(error as Error).name}, retriable); trying again in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  private async startOnce(handler: BatchHandler): Promise<void> {
    const { topic, groupId } = this.options;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, [topic, `${topic}${DEAD_LETTER_SUFFIX}`]);
    this.deadLetterMaxBytes = await this.maxMessageBytes(`${topic}${DEAD_LETTER_SUFFIX}`);

    this.producer = this.kafka.producer({
      transactionalId: `processing-ledger-${groupId}-${this.options.instanceId}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: javaCompatiblePartitioner,
    });
    await this.producer.connect();
    // A short session: after a crash, the group gives the dead member's partitions away in seconds.
    this.consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
      // 2 MB a partition: at 1 MB the service peaked 30-70 MB lower on the benchmark (every
      // assigned partition's fetch is held decoded at once); it recorded 7% fewer envelopes a
      // second in one set of runs and as many in another (512 KB too), so the default stays.
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 200,
      readUncommitted: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = payload.memberAssignment[topic] ?? [];
      this.lastMovedAt = Date.now();
    });
    // A batch of only transaction markers or aborted records never reaches `consume`: it is
    // committed past here, or the group would show a lag that never goes (and look stalled).
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0 || payload.topic !== topic) return;
      this.commit(topic, payload.partition, (BigInt(payload.lastOffset) + 1n).toString(), []).catch(() => undefined);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 2,
      eachBatch: (payload) => this.consume(payload, handler),
    });
  }

  private async consume(
    { batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload,
    handler: BatchHandler,
  ): Promise<void> {
    if (batch.messages.length === 0 || isStale()) return;
    const messages: InboundMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      headers: headersOf(m.headers as Record<string, Buffer | string | undefined>),
    }));
    const deadLetters = await handler(messages, { heartbeat, isRunning: () => isRunning() && !isStale() });
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await this.commit(batch.topic, batch.partition, next, deadLetters);
    // Committed in the transaction; now move the consumer's own position past the batch.
    resolveOffset(batch.lastOffset());
  }

  /** One transaction at a time on the producer: partitions handled concurrently take turns here. */
  private commit(
    topic: string,
    partition: number,
    offset: string,
    deadLetters: Awaited<ReturnType<BatchHandler>>,
  ): Promise<void> {
    const run = () => this.inTransaction(topic, partition, offset, deadLetters);
    const turn = this.transactions.then(run, run);
    this.transactions = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The batch's dead letters and offsets in one transaction. A transaction that starts while the
   * coordinator still completes the one before is refused (CONCURRENT_TRANSACTIONS), which kafkajs
   * passes on rather than retrying: it is aborted and tried again after a pause, as Kafka's own
   * producer does. Left failed, the batch would be consumed again (recorded once, but redelivered
   * after every shutdown that met it).
   */
  private async inTransaction(
    topic: string,
    partition: number,
    offset: string,
    deadLetters: Awaited<ReturnType<BatchHandler>>,
  ): Promise<void> {
    let cutAll = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.transactOnce(
          topic,
          partition,
          offset,
          deadLetterChunks(deadLetters, this.deadLetterMaxBytes, cutAll),
        );
        this.lastMovedAt = Date.now();
        return;
      } catch (error) {
        // Larger than the broker takes after all (its limit read wrong, or changed): every letter cut down.
        if (!cutAll && errorTypes(error).some((t) => TOO_LARGE.has(t))) {
          this.options.log?.(
            `kafka: a dead letter of ${topic}/${partition} was too large for the broker; ` +
              "sending the batch's letters cut down",
          );
          cutAll = true;
          continue;
        }
        const { retriable, type } = error as { retriable?: boolean; type?: string };
        if (!(retriable || type === 'CONCURRENT_TRANSACTIONS') || attempt >= TRANSACTION_ATTEMPTS) throw error;
        await sleep(Math.min(25 * 2 ** attempt, 1000));
      }
    }
  }

  private async transactOnce(
    topic: string,
    partition: number,
    offset: string,
    chunks: readonly LetterRecord[][],
  ): Promise<void> {
    const transaction = await this.producer!.transaction();
    try {
      for (const messages of chunks) {
        await transaction.send({
          topic: `${topic}${DEAD_LETTER_SUFFIX}`,
          compression: CompressionTypes.None,
          messages,
        });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [{ topic, partitions: [{ partition, offset }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.transactions;
    await this.producer?.disconnect();
    await this.admin?.disconnect();
    this.consumer = this.producer = this.admin = null;
  }

  /**
   * Messages not yet committed by the group, over all partitions. Also notes whether this
   * instance is stalled: its own partitions have had lag, and its commits have not moved, for
   * `stallAfterMs` (read by `stalled`).
   */
  async lag(): Promise<number> {
    if (!this.admin) return 0;
    const { topic, groupId } = this.options;
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map(
      committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]) ?? [],
    );
    const lagOf = (p: (typeof ends)[number]) => Number(BigInt(p.high) - (done.get(p.partition) ?? BigInt(p.low)));
    const mine = this.assigned
      ? ends.filter((p) => this.assigned!.includes(p.partition)).reduce((sum, p) => sum + lagOf(p), 0)
      : 0;
    if (mine === 0) this.lastMovedAt = Date.now();
    this.stalledNow = mine > 0 && Date.now() - this.lastMovedAt > (this.options.stallAfterMs ?? 60_000);
    return ends.reduce((sum, p) => sum + lagOf(p), 0);
  }

  /** Whether, at the last `lag()`, this instance had lag on its partitions and had not moved for `stallAfterMs`. */
  get stalled(): boolean {
    return this.stalledNow;
  }

  /** The topic's largest record batch, as the broker says (its own default when it does not). */
  private async maxMessageBytes(topic: string): Promise<number> {
    try {
      const { resources } = await this.admin!.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      });
      const value = Number(resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
      return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES;
    } catch (error) {
      this.options.log?.(
        `kafka: the dead-letter topic's max.message.bytes could not be read (${(error as Error).name}); ` +
          "assuming Kafka's default",
      );
      return DEFAULT_MAX_MESSAGE_BYTES;
    }
  }
}
