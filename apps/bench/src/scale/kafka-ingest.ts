import { Kafka, logLevel } from 'kafkajs';
import type { Client } from 'pg';
import { ensureTopics } from '#ledger/kafka';
import { round } from '../stats';
import { personEnvelopes } from './envelopes';
import { waitProjected } from './store-figures';

export const BROKERS = process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = () =>
  new Kafka({ clientId: 'ledger-bench-scale', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
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
async function committed(admin: ReturnType<ReturnType<typeof kafka>['admin']>, group: string, topic: string) {
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

/**
 * Kafka → store → projections on a running service subscribed to `topic` with `group`: the first
 * `warmUpPersons` persons' envelopes warm it up (not counted), the rate is taken from then until
 * every envelope is committed and every projection has applied what they wrote.
 */
export async function kafkaIngestion(
  db: Client,
  target: { topic: string; group: string; tag: string },
  warmUpPersons: number,
  persons: number,
): Promise<{ eps: number; envelopes: number }> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const warmUp = await produce(target.topic, `${target.tag}w`, warmUpPersons);
    while ((await committed(admin, target.group, target.topic)) < warmUp) await sleep(50);
    await waitProjected(db, performance.now());
    const started = performance.now();
    const sent = await produce(target.topic, target.tag, persons);
    while ((await committed(admin, target.group, target.topic)) < warmUp + sent) await sleep(50);
    await waitProjected(db, started);
    return { eps: round(sent / ((performance.now() - started) / 1000)), envelopes: sent };
  } finally {
    await admin.disconnect();
  }
}
