import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '#ledger/kafka';
import { Client } from 'pg';
import { LedgerServer } from './ledger-server';
import { round } from './stats';
import { microsecondsEach, postgresCpuSeconds } from './cpu';

const BROKERS = process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = () => new Kafka({ clientId: 'ledger-bench', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the broker of deploy/kafka if it is not running (idempotent). */
export function ensureBroker(): void {
  execFileSync('bash', [resolve(__dirname, '../../../../deploy/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
}

/** `count` envelopes for count/20 persons, keyed by ref, on a fresh 6-partition topic. */
export async function fillTopic(count: number): Promise<string> {
  const topic = `ledger-bench-${randomUUID().slice(0, 8)}`;
  const admin = kafka().admin();
  await admin.connect();
  // The service's own creation: a broker that has just started may not elect the leaders at once.
  await ensureTopics(admin, [topic], { numPartitions: 6 });
  await admin.disconnect();
  const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let start = 0; start < count; start += 5000) {
    const messages = Array.from({ length: Math.min(5000, count - start) }, (_, k) => {
      const i = start + k;
      const ref = `bench:person:${topic}-${Math.floor(i / 20)}`;
      const value = JSON.stringify({
        id: randomUUID(),
        type: 'data.collected',
        occurredAt: '2026-11-20T10:15:00Z',
        source: 'webcruiter',
        subject: { ref },
        data: {
          purpose: 'client-assignments',
          collectedFrom: 'processor',
          fields: { [`work.employer${i % 20}`]: `Employer ${i}` },
        },
      });
      return { key: ref, value };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  return topic;
}

/** A bare kafkajs consumer reading the whole topic with eachBatch and doing nothing: the ceiling. */
export async function bareConsumerEps(topic: string, count: number): Promise<number> {
  const consumer = kafka().consumer({ groupId: `${topic}-bare`, maxBytesPerPartition: 2 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (seen === 0) first = performance.now();
      seen += batch.messages.length;
      if (seen >= count) done();
    },
  });
  await finished;
  const seconds = (performance.now() - first) / 1000;
  await consumer.disconnect();
  return round(count / seconds);
}

/**
 * Kafka → store → projection: the service consumes the topic of `count` envelopes. Its first
 * `warmUp` envelopes warm the service up (V8 optimises the path as it runs: in nine clean-clone
 * runs the first 10,000 went through at 3,029-8,052/s, the 50,000 after them at 5,857-9,877/s,
 * faster in all but one); the rate is taken from then to the last envelope projected into each
 * person's state.
 */
export async function ledgerKafkaEps(
  dbUrl: string,
  topic: string,
  count: number,
  dataDir: string,
  warmUp: number,
): Promise<{
  eps: number;
  warmUpEps: number;
  rssPeakMb: number;
  serviceCpuUs: number | null;
  postgresCpuUs: number | null;
}> {
  const client = new Client({ connectionString: dbUrl });
  await client.connect();
  const ledger = await LedgerServer.start({
    LEDGER_STORE: 'postgres',
    DATABASE_URL: dbUrl,
    LEDGER_DATA_DIR: dataDir,
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: `${topic}-ledger`,
    KAFKA_LEDGER_TOPIC: `${topic}-out`,
  });
  try {
    // Events projected: each person's state carries its version, the number of its events applied.
    const projected = async () =>
      Number((await client.query('SELECT coalesce(sum(version), 0) AS n FROM ledger_subject_state')).rows[0].n);
    let firstCount = 0;
    while ((firstCount = await projected()) === 0) await sleep(20);
    const first = performance.now();
    let startCount = firstCount;
    while (startCount < warmUp) {
      await sleep(10);
      startCount = await projected();
    }
    const started = performance.now();
    const cpu = { service: ledger.cpuSeconds(), postgres: postgresCpuSeconds() };
    for (let n = startCount; n < count; n = await projected()) await sleep(50);
    const seconds = (performance.now() - started) / 1000;
    return {
      eps: round((count - startCount) / seconds),
      warmUpEps: startCount > firstCount ? round((startCount - firstCount) / ((started - first) / 1000)) : NaN,
      rssPeakMb: Math.round(ledger.rssPeakMb()),
      serviceCpuUs: microsecondsEach(cpu.service, ledger.cpuSeconds(), count - startCount),
      postgresCpuUs: microsecondsEach(cpu.postgres, postgresCpuSeconds(), count - startCount),
    };
  } finally {
    await ledger.stop();
    await client.end();
  }
}
