import { Kafka, logLevel, type Admin, type Batch, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { DeadLetterKeyDestroyed, openMessageValue, type Open } from '../dead-letters/dead-letter-value';
import { DEAD_LETTER_SUFFIX } from '../kafka.port';
import { kafkajsOptions, type KafkaConnection } from './connection';

export interface ReplayOptions {
  /** The brokers, with TLS and SASL as the service connects. */
  readonly connection: KafkaConnection;
  /** The inbound topic: letters are read from `<topic>.dlq` and re-submitted here. */
  readonly topic: string;
  /** The replay's own consumer group: its commits make each letter replayed once. */
  readonly groupId: string;
  readonly open: Open;
  /** How long the topic may stay quiet before the replay counts itself caught up. @defaultValue 3000 */
  readonly idleMs?: number;
  readonly onProgress?: (read: number) => void;
}

export interface ReplayCounts {
  read: number;
  replayed: number;
  /** Letters whose dead-letter key is destroyed: their values can no longer be opened. */
  keyDestroyed: number;
  /** Letters cut down to fit the broker, or not sealed letters at all. */
  notReplayable: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The record key a re-submitted envelope takes: its ref (as upstream keys it), else its subject id. */
function keyOf(value: Buffer): string | null {
  try {
    const subject = (JSON.parse(value.toString('utf8')) as { subject?: { ref?: unknown; id?: unknown } }).subject;
    const key = subject?.ref ?? subject?.id;
    return typeof key === 'string' ? key : null;
  } catch {
    return null;
  }
}

/** One replay's progress, shared by its batches and by the wait for them. */
interface ReplayRun {
  readonly options: ReplayOptions;
  /** The dead-letter topic read. */
  readonly source: string;
  /** Where each partition with letters to read ended when the replay began. */
  readonly ends: ReadonlyMap<number, bigint>;
  /** Partitions not read to their end yet. */
  readonly pending: Set<number>;
  readonly counts: ReplayCounts;
  joined: boolean;
  lastActivity: number;
}

/** How long the replay waits to join its consumer group before it gives up. */
const JOIN_TIMEOUT_MS = 60_000;

/**
 * Re-submits the dead letters of `<topic>.dlq` that can still be opened to the inbound topic, as
 * they came (a letter whose cause was fixed is then recorded; one still bad dead-letters again).
 * Each batch's re-submissions and its offsets go in one Kafka transaction, so a letter is
 * replayed once even across an interrupted run. Reads the letters there were when it began, until
 * every partition is read to there or the topic has been quiet for `idleMs` (a partition's last
 * offset may be a transaction marker, which is never delivered).
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayCounts> {
  const source = `${options.topic}${DEAD_LETTER_SUFFIX}`;
  const kafka = new Kafka({
    ...kafkajsOptions(options.connection),
    clientId: `${options.groupId}-${process.pid}`,
    logLevel: logLevel.ERROR,
  });
  const counts: ReplayCounts = { read: 0, replayed: 0, keyDestroyed: 0, notReplayable: 0 };
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(source)) return counts;
    const ends = await endsToRead(admin, source, options.groupId);
    const run: ReplayRun = {
      options,
      source,
      ends,
      pending: new Set(ends.keys()),
      counts,
      joined: false,
      lastActivity: 0,
    };
    await replayPartitions(kafka, run);
    return counts;
  } finally {
    await admin.disconnect();
  }
}

/** Consumes the dead letters and re-submits them transactionally until every partition is read or quiet. */
async function replayPartitions(kafka: Kafka, run: ReplayRun): Promise<void> {
  const { groupId } = run.options;
  const producer = kafka.producer({ transactionalId: `${groupId}-replay`, idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  await producer.connect();
  await consumer.connect();
  run.lastActivity = Date.now();
  // Quiet counts from the moment the group is joined (a new group's first join takes seconds).
  consumer.on(consumer.events.GROUP_JOIN, () => {
    run.joined = true;
    run.lastActivity = Date.now();
  });
  try {
    await consumer.subscribe({ topics: [run.source], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset }) => replayBatch(run, producer, batch, resolveOffset),
    });
    await untilReadOrQuiet(run);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

/** Re-submits one batch's due letters and commits its offsets, in one transaction. */
async function replayBatch(
  run: ReplayRun,
  producer: Producer,
  batch: Batch,
  resolveOffset: (offset: string) => void,
): Promise<void> {
  // Only the letters there were when the replay began: a replayed letter that is still bad
  // comes back as a new letter, which this run must not replay again.
  const end = run.ends.get(batch.partition) ?? 0n;
  const due = batch.messages.filter((m) => BigInt(m.offset) < end);
  if (due.length < batch.messages.length) run.pending.delete(batch.partition);
  if (due.length === 0) return;
  const out = due.flatMap((m) => reopen(m, run.options.open, run.counts));
  run.options.onProgress?.(run.counts.read);
  const last = due[due.length - 1]!.offset;
  const next = (BigInt(last) + 1n).toString();
  await sendWithOffset(run, producer, out, { partition: batch.partition, offset: next });
  resolveOffset(last);
  if (BigInt(next) >= end) run.pending.delete(batch.partition);
  run.lastActivity = Date.now();
}

/** The re-submissions and the group's next offset in one Kafka transaction: both or neither. */
async function sendWithOffset(
  run: ReplayRun,
  producer: Producer,
  out: Message[],
  next: { partition: number; offset: string },
): Promise<void> {
  const { topic, groupId } = run.options;
  const transaction = await producer.transaction();
  try {
    if (out.length > 0) await transaction.send({ topic, acks: -1, messages: out });
    await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: run.source, partitions: [next] }] });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}

/** Waits until every partition is read to where it ended, or the topic has been quiet for `idleMs` once joined. */
async function untilReadOrQuiet(run: ReplayRun): Promise<void> {
  const idleMs = run.options.idleMs ?? 3000;
  const joinBy = Date.now() + JOIN_TIMEOUT_MS;
  const waiting = () => (run.joined ? Date.now() - run.lastActivity < idleMs : Date.now() < joinBy);
  while (run.pending.size > 0 && waiting()) await sleep(100);
  if (!run.joined) throw new Error(`the replay could not join the consumer group ${run.options.groupId}`);
}

/** The partitions with letters the group has not read yet, and where each ended at the start. */
async function endsToRead(admin: Admin, topic: string, groupId: string): Promise<Map<number, bigint>> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]) ?? [],
  );
  return new Map(
    ends
      .filter((p) => BigInt(p.high) > (done.get(p.partition) ?? BigInt(p.low)))
      .map((p) => [p.partition, BigInt(p.high)]),
  );
}

/** A letter cut down to fit the broker keeps only its id, type and source: nothing to replay. */
const isCutDown = (letter: Buffer) => {
  try {
    return (JSON.parse(letter.toString('utf8')) as { truncated?: unknown }).truncated === true;
  } catch {
    return false;
  }
};

function reopen(message: KafkaMessage, open: Open, counts: ReplayCounts): Message[] {
  counts.read += 1;
  try {
    const letter = message.value ?? Buffer.alloc(0);
    if (isCutDown(letter)) throw new SyntaxError('a cut-down letter');
    const value = openMessageValue(letter, open);
    counts.replayed += 1;
    return [{ key: keyOf(value), value }];
  } catch (error) {
    if (error instanceof DeadLetterKeyDestroyed) counts.keyDestroyed += 1;
    else counts.notReplayable += 1;
    return [];
  }
}
