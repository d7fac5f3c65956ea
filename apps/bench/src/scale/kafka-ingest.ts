import { Kafka, logLevel } from 'kafkajs';
import type { Client } from 'pg';
import { ensureTopics } from '#ledger/kafka';
import { round } from '../stats';
import { personEnvelopes } from './envelopes';
import { waitProjected } from './store-figures';

export const BROKERS = process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = () =>
  new Kafka({ clientId: 'ledger-bench-scale', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
type Admin = ReturnType<ReturnType<typeof kafka>['admin']>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the inbound topic (six partitions) before the service subscribes to it. */
export async function createTopic(topic: string): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  await ensureTopics(admin, [topic], { numPartitions: 6 });
  await admin.disconnect();
}

/**
 * Offsets the group has committed on the topic, in all: the envelopes the service has recorded.
 * A broker still electing the group's coordinator answers nothing yet: counted as none so far.
 */
async function committed(admin: Admin, group: string, topic: string) {
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } catch {
    return 0;
  }
}

/** Sends `persons` new persons' envelopes (ten each, keyed by ref, tagged so they are new at this size). */
async function produce(topic: string, tag: string, persons: number): Promise<number> {
  const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let sent = 0;
  for (let n = 0; n < persons; n += 500) {
    const messages = [];
    for (let p = n; p < Math.min(persons, n + 500); p += 1)
      for (const e of personEnvelopes(p, tag)) messages.push({ key: e.subject.ref, value: JSON.stringify(e) });
    await producer.send({ topic, acks: -1, messages });
    sent += messages.length;
  }
  await producer.disconnect();
  return sent;
}

/** `work` with an admin client of its own, disconnected after. */
async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Offsets sent to `topic` so far, over its partitions: what the group will have committed once it has caught up. */
async function produced(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.offset), 0);
}

/** Waits until `group` has committed `count` offsets on `topic`. */
async function committedReach(admin: Admin, target: { topic: string; group: string }, count: number): Promise<void> {
  while ((await committed(admin, target.group, target.topic)) < count) await sleep(50);
}

/**
 * Warms a running service subscribed to `topic` with `group` up: `persons` new persons' envelopes,
 * not counted, waited for until committed and applied by every projection.
 */
export async function kafkaWarmUp(
  db: Client,
  target: { topic: string; group: string; tag: string },
  persons: number,
): Promise<void> {
  await withAdmin(async (admin) => {
    await produce(target.topic, target.tag, persons);
    await committedReach(admin, target, await produced(admin, target.topic));
  });
  await waitProjected(db, performance.now());
}

/**
 * Kafka → store → projections on a running service subscribed to `topic` with `group`, caught up:
 * `persons` new persons' envelopes, the rate taken from the first sent until every envelope is
 * committed and every projection has applied what they wrote.
 */
export async function kafkaIngestion(
  db: Client,
  target: { topic: string; group: string; tag: string },
  persons: number,
): Promise<{ eps: number; envelopes: number }> {
  return withAdmin(async (admin) => {
    const before = await produced(admin, target.topic);
    const started = performance.now();
    const sent = await produce(target.topic, target.tag, persons);
    await committedReach(admin, target, before + sent);
    await waitProjected(db, started);
    return { eps: round(sent / ((performance.now() - started) / 1000)), envelopes: sent };
  });
}
